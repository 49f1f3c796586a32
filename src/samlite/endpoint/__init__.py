"""The embedded AWS endpoint: moto in-process behind samlite's own HTTP server, on one port.

- `embedded_aws`: `EmbeddedAws`, the endpoint's lifecycle, moto's backends, what services plug in;
- `http_server`: the keep-alive threaded HTTP server;
- `middleware`: what happens to each request before and after moto serves it;
- `moto_dispatch`: moto's per-service dispatch, with its host lookup memoised;
- `local_apis`: what services plug in (calls samlite answers itself, checks of S3 requests);
- `aws_errors`: the one renderer of AWS errors, in every protocol's shape.
"""
