import {
  type QueryKey,
  useMutation,
  type UseMutationOptions,
  useQueryClient,
} from "@tanstack/react-query";

interface InvalidatingMutationOptions<TData, TVariables>
  extends Omit<UseMutationOptions<TData, Error, TVariables>, "onSuccess"> {
  /** The queries the change makes stale (a domain's `all()` key): read again on success. */
  invalidates: QueryKey;
  /** Runs once those queries have been read again, so what it shows is already current. */
  onSuccess: (data: TData, variables: TVariables) => void;
}

/** A mutation that, when it succeeds, refreshes the queries it changed and then says so. */
export function useInvalidatingMutation<TData = unknown, TVariables = void>({
  invalidates,
  onSuccess,
  ...options
}: InvalidatingMutationOptions<TData, TVariables>) {
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    onSuccess: async (data, variables) => {
      await queryClient.invalidateQueries({ queryKey: invalidates });
      onSuccess(data, variables);
    },
  });
}
