import type { ReactNode } from "react";
import DashboardOutlinedIcon from "@mui/icons-material/DashboardOutlined";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import ScheduleOutlinedIcon from "@mui/icons-material/ScheduleOutlined";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import InsightsOutlinedIcon from "@mui/icons-material/InsightsOutlined";
import PeopleAltOutlinedIcon from "@mui/icons-material/PeopleAltOutlined";
import ManageSearchOutlinedIcon from "@mui/icons-material/ManageSearchOutlined";
import type { Permission } from "../auth/permissions";

export interface NavItem {
  label: string;
  to: string;
  icon: ReactNode;
  permission: Permission;
  /** also active for sub-paths */
  prefix?: boolean;
}

export interface NavSection {
  title?: string;
  items: NavItem[];
}

export const NAVIGATION: NavSection[] = [
  { items: [{ label: "Home", to: "/", icon: <DashboardOutlinedIcon />, permission: "browse" }] },
  {
    title: "Registry",
    items: [{ label: "Models", to: "/models", icon: <HubOutlinedIcon />, permission: "browse", prefix: true }],
  },
  {
    title: "Operations",
    items: [
      { label: "Deployments", to: "/deployments", icon: <ScheduleOutlinedIcon />, permission: "browse", prefix: true },
      { label: "Executions", to: "/executions", icon: <PlayCircleOutlineIcon />, permission: "browse", prefix: true },
      { label: "Reports", to: "/reports", icon: <InsightsOutlinedIcon />, permission: "browse", prefix: true },
    ],
  },
  {
    title: "Administration",
    items: [
      { label: "Users", to: "/users", icon: <PeopleAltOutlinedIcon />, permission: "manage_users", prefix: true },
      { label: "Audit log", to: "/audit", icon: <ManageSearchOutlinedIcon />, permission: "read_audit", prefix: true },
    ],
  },
];
