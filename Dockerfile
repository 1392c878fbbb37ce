# Multi-stage build of a static mcp-server in a minimal, non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -ldflags "-s -w -buildid= -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/mcp-server ./cmd/mcp-server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mcp-server /mcp-server
USER nonroot:nonroot
EXPOSE 8080
# Inside the container the server must listen on all interfaces to be
# reachable, so it refuses to start unless MCP_AUTH_TOKEN is set (at least
# 16 characters, e.g. openssl rand -hex 32): every request then needs
# "Authorization: Bearer $MCP_AUTH_TOKEN".
ENV MCP_TRANSPORT=http MCP_LISTEN=0.0.0.0:8080
HEALTHCHECK NONE
ENTRYPOINT ["/mcp-server"]
