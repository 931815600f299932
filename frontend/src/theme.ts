import { alpha, createTheme } from "@mui/material/styles";
import type {} from "@mui/x-data-grid/themeAugmentation";

const primary = "#2f5d8a"; // calm steel blue
const ink = "#1d2939";

export const theme = createTheme({
  palette: {
    mode: "light",
    primary: { main: primary, light: "#5b84ad", dark: "#1f4266", contrastText: "#fff" },
    secondary: { main: "#0f766e" },
    success: { main: "#2e7d4f" },
    warning: { main: "#b26a00" },
    error: { main: "#c0362c" },
    background: { default: "#f4f6f9", paper: "#ffffff" },
    text: { primary: ink, secondary: "#5b6577" },
    divider: "#e3e8ef",
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: '"Inter", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    fontSize: 14,
    h4: { fontWeight: 650, fontSize: "1.6rem", letterSpacing: "-0.01em" },
    h5: { fontWeight: 650, fontSize: "1.3rem", letterSpacing: "-0.01em" },
    h6: { fontWeight: 600, fontSize: "1.05rem" },
    subtitle1: { fontWeight: 600 },
    subtitle2: { fontWeight: 600, fontSize: "0.8rem", letterSpacing: "0.02em" },
    overline: { fontWeight: 600, letterSpacing: "0.08em" },
    button: { textTransform: "none", fontWeight: 600 },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: { body: { WebkitFontSmoothing: "antialiased" } },
    },
    MuiButton: {
      defaultProps: { disableElevation: true },
      styleOverrides: { root: { borderRadius: 8 } },
    },
    MuiPaper: {
      defaultProps: { elevation: 0 },
      styleOverrides: { outlined: { borderColor: "#e3e8ef" } },
    },
    MuiCard: {
      defaultProps: { variant: "outlined" },
      styleOverrides: { root: { borderRadius: 12 } },
    },
    MuiAppBar: {
      defaultProps: { elevation: 0, color: "inherit" },
      styleOverrides: { root: { borderBottom: "1px solid #e3e8ef", backgroundColor: "#ffffff" } },
    },
    MuiChip: {
      styleOverrides: { root: { fontWeight: 500 }, sizeSmall: { height: 22 } },
    },
    MuiTextField: { defaultProps: { size: "small" } },
    MuiFormControl: { defaultProps: { size: "small" } },
    MuiTooltip: { defaultProps: { arrow: true } },
    MuiListItemButton: {
      styleOverrides: {
        root: {
          borderRadius: 8,
          marginInline: 8,
          "&.Mui-selected": {
            backgroundColor: alpha(primary, 0.1),
            color: primary,
            "& .MuiListItemIcon-root": { color: primary },
            "&:hover": { backgroundColor: alpha(primary, 0.14) },
          },
        },
      },
    },
    MuiListItemIcon: { styleOverrides: { root: { minWidth: 36 } } },
    MuiDialogTitle: { styleOverrides: { root: { fontWeight: 650 } } },
    MuiDataGrid: {
      defaultProps: { density: "compact", disableRowSelectionOnClick: true },
      styleOverrides: {
        root: {
          border: "1px solid #e3e8ef",
          borderRadius: 12,
          backgroundColor: "#fff",
          "--DataGrid-containerBackground": "#f8fafc",
        },
        columnHeaderTitle: { fontWeight: 600, color: "#475467" },
        cell: { "&:focus, &:focus-within": { outline: "none" } },
        columnHeader: { "&:focus, &:focus-within": { outline: "none" } },
      },
    },
  },
});
