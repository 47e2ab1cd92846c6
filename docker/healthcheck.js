// Docker HEALTHCHECK: exit 0 when /health/ready answers 200 (the slim image has no curl).
const port = process.env.HTTP_PORT;
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.status === 200 ? 0 : 1))
  .catch(() => process.exit(1));
