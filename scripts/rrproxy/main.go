// Command rrproxy is a round-robin HTTP reverse proxy for load figures:
// each request goes to the next of several stateless replicas, as a load
// balancer would send them. scripts/load.sh uses it; it binds loopback
// only.
//
//	rrproxy -listen 127.0.0.1:9000 http://127.0.0.1:9001 http://127.0.0.1:9002
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9000", "loopback address to listen on")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: rrproxy [-listen ADDR] BACKEND_URL...")
		os.Exit(2)
	}
	if host, _, err := net.SplitHostPort(*listen); err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("rrproxy: -listen %s: only loopback addresses", *listen)
	}
	var proxies []*httputil.ReverseProxy
	for _, raw := range flag.Args() {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			log.Fatalf("rrproxy: backend %q is not a URL such as http://127.0.0.1:9001", raw)
		}
		p := httputil.NewSingleHostReverseProxy(u)
		p.FlushInterval = -1 // stream SSE answers as they come
		p.Transport = &http.Transport{MaxIdleConnsPerHost: 256}
		proxies = append(proxies, p)
	}
	var next atomic.Uint64
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[(next.Add(1)-1)%uint64(len(proxies))].ServeHTTP(w, r)
	})))
}
