export const CHART_COLORS = ["#2f5d8a", "#0f766e", "#b26a00", "#7b5ea7", "#c0362c", "#5b84ad", "#2e7d4f", "#8a94a6"];
