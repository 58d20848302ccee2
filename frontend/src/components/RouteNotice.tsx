import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "react-router";

import { noticeOf } from "../lib/routeNotice";
import NoticeSnackbar from "./NoticeSnackbar";

/**
 * The snackbar of a page reached after an action on another one (saved, created, deleted:
 * navigate(to, { state: withNotice(...) })). Said once: the notice is taken out of the
 * history entry, so a reload or Back does not say it again.
 */
export default function RouteNotice() {
  const location = useLocation();
  const navigate = useNavigate();
  const incoming = noticeOf(location.state);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (incoming === null) return;
    setNotice(incoming);
    void navigate(
      { pathname: location.pathname, search: location.search, hash: location.hash },
      { replace: true, state: null },
    );
  }, [incoming, location.pathname, location.search, location.hash, navigate]);
  return <NoticeSnackbar notice={notice} onClose={() => setNotice(null)} />;
}
