import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import { Alert, Box, Button, Stack } from "@mui/material";
import { Link, useParams } from "react-router";

import OperationPanel from "../features/operations/OperationPanel";
import { useDocumentTitle } from "../lib/useDocumentTitle";

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** One operation on a page of its own (where links to an operation, such as a rollback, go). */
export default function OperationPage() {
  const { id = "" } = useParams();
  useDocumentTitle("Operation");
  return (
    <Stack spacing={3}>
      <Box>
        <Button component={Link} to="/operations" startIcon={<ArrowBackIcon />}>
          All operations
        </Button>
      </Box>
      {OBJECT_ID.test(id) ? (
        <OperationPanel key={id} operationId={id} />
      ) : (
        <Alert severity="error">There is no operation with this id.</Alert>
      )}
    </Stack>
  );
}
