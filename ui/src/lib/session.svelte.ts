// The signed-in account, for the few components that act as it without being handed it
// (the error banner's "Grant access"). App.svelte keeps it current; nothing else writes it.
export const session = $state<{ accountId: string | null }>({ accountId: null });
