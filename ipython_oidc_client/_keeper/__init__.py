"""The token keeper (docs/keeper.md): one process per Jupyter server — or per process outside one —
that alone holds refresh tokens and ID tokens, redeems the codes of sign-ins the browser drives,
validates ID tokens, renews, revokes, and hands kernels their access tokens over a Unix socket."""
