import { zodResolver } from "@hookform/resolvers/zod";
import { TextField } from "@mui/material";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { promotionQueries, rejectPromotion } from "./queries";
import type { Promotion } from "./types";

const schema = z.object({
  reason: z.string().trim().min(1, "Say why").max(500, "Use at most 500 characters"),
});
type RejectValues = z.infer<typeof schema>;

interface RejectPromotionDialogProps {
  promotion: Promotion;
  onClose: () => void;
  onDone: () => void;
}

/** Refuse a promotion that waits for approval, saying why (the requester is told). */
export default function RejectPromotionDialog({
  promotion,
  onClose,
  onDone,
}: RejectPromotionDialogProps) {
  const form = useForm<RejectValues>({
    resolver: zodResolver(schema),
    defaultValues: { reason: "" },
  });
  const server = useServerErrors(form, sameFields("reason"));
  const reject = useInvalidatingMutation({
    mutationFn: (reason: string) => rejectPromotion(promotion.id, reason),
    invalidates: promotionQueries.all(),
    onSuccess: onDone,
    onError: server.report,
  });
  return (
    <FormDialog
      title={`Reject ${promotion.version} to ${promotion.stage}`}
      submitLabel="Reject"
      submitColor="error"
      onSubmit={form.handleSubmit((valid) => {
        server.clear();
        reject.mutate(valid.reason);
      })}
      onClose={onClose}
      pending={reject.isPending}
      error={server.formError}
    >
      <TextField
        label="Reason"
        autoComplete="off"
        autoFocus
        fullWidth
        multiline
        minRows={2}
        {...fieldProps(form, "reason", `Told to ${promotion.requestedBy.username}`)}
      />
    </FormDialog>
  );
}
