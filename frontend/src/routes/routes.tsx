import { Navigate, type RouteObject } from "react-router";

import AppLayout from "../components/AppLayout";
import NotFoundPage from "./NotFoundPage";
import SystemStatusPage from "./SystemStatusPage";

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <Navigate to="/system" replace /> },
      { path: "system", element: <SystemStatusPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
