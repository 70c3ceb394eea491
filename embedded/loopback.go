package embedded

import (
	"fmt"
	"net"
	"strconv"
)

// checkLoopback accepts "host:port" with a loopback host and a port 0-65535.
func checkLoopback(hostport string) error {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q out of range 0-65535", port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("host %q is not a loopback address", host)
}

// listenLoopback listens on addr (checked by checkLoopback) with listen and
// refuses a listener bound elsewhere than loopback: "localhost" is a name,
// and a hosts file mapping it to another address would otherwise expose a
// broker that has no authentication.
func listenLoopback(listen func(network, addr string) (net.Listener, error), network, addr string) (net.Listener, error) {
	ln, err := listen(network, addr)
	if err != nil {
		return nil, err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("%q is bound to %s, not a loopback address", addr, ln.Addr())
	}
	return ln, nil
}
