import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Link, Stack, TableCell, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import DeletePipelineDialog from "./DeletePipelineDialog";
import PipelineDialog from "./PipelineDialog";
import { pipelineQueries } from "./queries";
import type { PromotionSlots } from "./slots";
import type { Pipeline } from "./types";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; pipeline: Pipeline };

interface PipelinesListProps {
  /** Admins create, change and delete pipelines; everyone reads them. */
  canManage: boolean;
  pickers: Pick<PromotionSlots, "EnvironmentsPicker" | "TagsPicker">;
  onCreated: (pipeline: Pipeline) => void;
}

/** The pipelines by name, each with its road of stages. */
export default function PipelinesList({ canManage, pickers, onCreated }: PipelinesListProps) {
  const queryClient = useQueryClient();
  const paging = usePaging();
  const pipelines = useQuery(pipelineQueries.list(paging.request));
  const { dialog, open, close, done, notice, dismissNotice } = useListDialogs<OpenDialog>();
  return (
    <Stack spacing={2} component="section" aria-label="Pipelines">
      <ListToolbar
        createLabel="New pipeline"
        onCreate={canManage ? () => open({ kind: "create" }) : undefined}
      >
        <Typography color="text.secondary">
          The road a version takes through your environments: a promotion moves the version
          verified on one stage onto the next.
        </Typography>
      </ListToolbar>
      <ListPanel
        query={pipelines}
        items={pipelines.data?.items}
        paging={paging}
        loadingLabel="Loading pipelines"
        emptyText={canManage ? "No pipeline yet: create one." : "No pipeline yet."}
      >
        {(rows) => (
          <DataTable
            label="Pipelines"
            headings={["Name", "Stages", "Description"]}
            rows={rows}
            cells={(pipeline) => (
              <>
                <TableCell>
                  <Link component={RouterLink} to={`/pipelines/${pipeline.id}`}>
                    {pipeline.name}
                  </Link>
                </TableCell>
                <TableCell>{pipeline.stages.map((stage) => stage.name).join(" → ")}</TableCell>
                <TableCell>{pipeline.description}</TableCell>
              </>
            )}
            actions={
              canManage
                ? (pipeline) => (
                    <>
                      <IconAction
                        title="Edit"
                        label={`Edit ${pipeline.name}`}
                        onClick={() => open({ kind: "edit", pipeline })}
                      >
                        <EditIcon />
                      </IconAction>
                      <IconAction
                        title="Delete"
                        label={`Delete ${pipeline.name}`}
                        onClick={() => open({ kind: "delete", pipeline })}
                      >
                        <DeleteIcon />
                      </IconAction>
                    </>
                  )
                : undefined
            }
          />
        )}
      </ListPanel>
      {(dialog?.kind === "create" || dialog?.kind === "edit") && (
        <PipelineDialog
          pipeline={dialog.kind === "edit" ? dialog.pipeline : null}
          pickers={pickers}
          onClose={close}
          onSaved={(saved) => {
            if (dialog.kind === "create") {
              close();
              onCreated(saved);
            } else done(`Saved ${saved.name}.`);
          }}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeletePipelineDialog
          pipeline={dialog.pipeline}
          onClose={close}
          onDeleted={(deleted) => {
            void queryClient.invalidateQueries({ queryKey: pipelineQueries.lists() });
            done(`Deleted ${deleted.name}.`);
          }}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
