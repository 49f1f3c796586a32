"""The two kinds of API the gateway serves: REST APIs (API Gateway v1) and HTTP APIs (v2)."""

REST = "REST"
HTTP = "HTTP"
