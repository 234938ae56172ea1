"""What operators run the service by: structured logs with a request id on every line
(``logs``), Prometheus metrics (``metrics``, at ``/metrics``) and health checks
(``health``, at ``/health``). See docs/operations.md."""
