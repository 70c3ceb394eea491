package saramaclient

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// groupConns dials the TCP connections of one membership's sarama client so
// the membership decides how long their reads may wait:
//
//  1. While the membership is joining (no session), every read waits at
//     least joinWait (the rebalance timeout + 5s, as the Java client waits
//     for a JoinGroup answer). The coordinator holds JoinGroup and SyncGroup
//     answers until every member rejoined or the rebalance timeout passed.
//     A client that stops reading earlier (sarama waits Net.ReadTimeout, 30s
//     against a 60s rebalance timeout) leaves a member behind that the next
//     rebalance waits for in turn: after a few crashes no join ever ends.
//  2. In a session, reads keep kafka.read_timeout, so a dead broker is
//     noticed as soon as before.
//  3. At shutdown, capReads ends pending reads by a given time and caps
//     later ones (and later dials), so a pending join or a frozen broker
//     never holds shutdown hostage. A dial already under way keeps its
//     dial timeout.
//
// TLS wraps these connections (sarama adds it after dialing), so deadlines
// set on the TLS connection reach them too.
type groupConns struct {
	dialer   net.Dialer
	joinWait time.Duration
	joining  atomic.Bool
	limit    atomic.Int64 // unix nanoseconds; 0: none. No read outlives it.

	mu   sync.Mutex
	live map[*groupConn]struct{}
}

func newGroupConns(dial, keepAlive, joinWait time.Duration) *groupConns {
	g := &groupConns{dialer: net.Dialer{Timeout: dial, KeepAlive: keepAlive}, joinWait: joinWait, live: map[*groupConn]struct{}{}}
	g.joining.Store(true) // a membership starts by joining
	return g
}

// Dial implements sarama's Net.Proxy.Dialer (golang.org/x/net/proxy.Dialer).
// Once capReads was called, connecting too must end by its time.
func (g *groupConns) Dial(network, addr string) (net.Conn, error) {
	ctx := context.Background()
	if lim := g.limit.Load(); lim != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, lim))
		defer cancel()
	}
	c, err := g.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	gc := &groupConn{Conn: c, g: g}
	g.mu.Lock()
	g.live[gc] = struct{}{}
	g.mu.Unlock()
	return gc, nil
}

// deadline adjusts a read deadline asked for by sarama (or TLS).
func (g *groupConns) deadline(t time.Time) time.Time {
	if g.joining.Load() && !t.IsZero() {
		if min := time.Now().Add(g.joinWait); t.Before(min) {
			t = min
		}
	}
	if lim := g.limit.Load(); lim != 0 {
		if l := time.Unix(0, lim); t.IsZero() || t.After(l) {
			t = l
		}
	}
	return t
}

// capReads makes every read, pending or later, end by at.
func (g *groupConns) capReads(at time.Time) {
	g.limit.Store(at.UnixNano())
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.live {
		_ = c.Conn.SetReadDeadline(at)
	}
}

// groupConn is one connection of a groupConns.
type groupConn struct {
	net.Conn
	g *groupConns
}

func (c *groupConn) SetReadDeadline(t time.Time) error {
	t = c.g.deadline(t)
	if err := c.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	// capReads may have run between deadline and the set above, and its
	// deadline been overwritten by ours: the cap must win. (Either this load
	// sees the cap, or capReads' own set comes after ours.)
	if lim := c.g.limit.Load(); lim != 0 {
		if l := time.Unix(0, lim); t.IsZero() || t.After(l) {
			return c.Conn.SetReadDeadline(l)
		}
	}
	return nil
}

func (c *groupConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

func (c *groupConn) Close() error {
	c.g.mu.Lock()
	delete(c.g.live, c)
	c.g.mu.Unlock()
	return c.Conn.Close()
}
