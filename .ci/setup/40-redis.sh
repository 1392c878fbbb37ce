# redis-server for cmd/mcp-server's TestE2ERedisReplicas, which starts its
# own redis-server on a loopback port (no system service is used).
apt_install redis-server
