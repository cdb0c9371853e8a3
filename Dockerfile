# Redline: two static binaries, /redline (the command; diff runs there) and
# /redline-server (the server, to which /redline hands every other command).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/redline-server ./cmd/redline && \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/redline ./cmd/redline-cli

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/redline /out/redline-server /
ENV REDLINE_ADDR=0.0.0.0:8080 REDLINE_DATA_DIR=/data
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["/redline"]
CMD ["serve"]
