package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topicsync"
)

// ErrStart is wrapped by every error of [Start].
var ErrStart = errors.New("embedded: cannot start broker")

// Broker is a running single-node in-process Kafka broker.
type Broker struct {
	cluster    *kfake.Cluster
	addrs      []string
	advertised []string
	stopWatch  func() // stops the session watch, see sessionWatch
	once       sync.Once
}

// Start starts a broker listening on the [Addr] (default [DefaultAddr]).
// Errors wrap [ErrStart] and name the address.
func Start(opts ...Option) (*Broker, error) {
	o := options{addr: DefaultAddr}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkLoopback(o.addr); err != nil {
		return nil, fmt.Errorf("%w: address %q: %w", ErrStart, o.addr, err)
	}
	if o.advertise != "" {
		if err := checkLoopback(o.advertise); err != nil {
			return nil, fmt.Errorf("%w: advertised address %q: %w", ErrStart, o.advertise, err)
		}
	}

	var listening []string
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ClusterID("karafka-actors-embedded"),
		kfake.DefaultNumPartitions(1),
		// kfake always asks for 127.0.0.1:<port>; listen where we were told.
		// kfake advertises what the listener's Addr says, so an advertised
		// address is a listener reporting that address instead of its own.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln, err := listenLoopback(net.Listen, network, o.addr)
			if err != nil {
				return nil, err
			}
			listening = append(listening, ln.Addr().String())
			if o.advertise != "" {
				return advertisedListener{ln, advertisedAddr(o.advertise)}, nil
			}
			return ln, nil
		}),
	}
	if o.dataDir != "" {
		kopts = append(kopts, kfake.DataDir(o.dataDir))
	}
	for _, t := range o.topics {
		if t.partitions < 1 {
			return nil, fmt.Errorf("%w: topics %q: partitions %d must be at least 1", ErrStart, t.names, t.partitions)
		}
		kopts = append(kopts, kfake.SeedTopics(t.partitions, t.names...))
	}
	if o.logger != nil {
		kopts = append(kopts, kfake.WithLogger(slogLogger{o.logger}))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		if o.dataDir != "" {
			return nil, fmt.Errorf("%w: listen on %q with data dir %q: %w", ErrStart, o.addr, o.dataDir, err)
		}
		return nil, fmt.Errorf("%w: listen on %q: %w", ErrStart, o.addr, err)
	}
	stop, err := watchSessions(c, listening[0])
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: listen on %q: session watch: %w", ErrStart, o.addr, err)
	}
	return &Broker{cluster: c, addrs: listening, advertised: c.ListenAddrs(), stopWatch: stop}, nil
}

// watchSessions starts a [sessionWatch] on c and returns what stops it.
func watchSessions(c *kfake.Cluster, addr string) (stop func(), err error) {
	admin, err := newClientAdmin(addr)
	if err != nil {
		return nil, err
	}
	w := newSessionWatch()
	observe := func(req kmsg.Request) (kmsg.Response, error, bool) {
		w.observe(req, time.Now())
		return nil, nil, false // observe only: kfake answers
	}
	for _, key := range []kmsg.Key{kmsg.JoinGroup, kmsg.SyncGroup, kmsg.Heartbeat, kmsg.LeaveGroup} {
		c.ControlKey(key.Int16(), observe)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx, sessionPoll, admin)
	}()
	return func() {
		cancel()
		<-done
		admin.close()
	}, nil
}

// sessionPoll is how often the session watch polls the groups.
const sessionPoll = 500 * time.Millisecond

// advertisedListener is a listener whose Addr is the advertised address.
type advertisedListener struct {
	net.Listener
	addr advertisedAddr
}

func (l advertisedListener) Addr() net.Addr { return l.addr }

// advertisedAddr is a "host:port" kept as given (a name stays a name).
type advertisedAddr string

func (a advertisedAddr) Network() string { return "tcp" }
func (a advertisedAddr) String() string  { return string(a) }

// Addrs returns the "host:port" the broker listens on, for kafka.brokers.
func (b *Broker) Addrs() []string { return append([]string(nil), b.addrs...) }

// Advertised returns the "host:port" the broker tells clients to connect
// to: [Advertise]'s address, or the listen address.
func (b *Broker) Advertised() []string { return append([]string(nil), b.advertised...) }

// CreateTopics creates the topics that do not exist yet; existing ones are
// fine. Errors wrap kafka.ErrTopicSetup and name the topic.
func (b *Broker) CreateTopics(ctx context.Context, partitions int32, names ...string) error {
	c := kafka.DefaultConfig()
	c.Brokers = b.Addrs()
	return topicsync.EnsureTopics(ctx, c, partitions, names...)
}

// Close stops the broker. Its data is dropped, unless [DataDir] keeps it
// for the next broker started on that dir. It is idempotent.
func (b *Broker) Close() {
	b.once.Do(func() {
		b.stopWatch()
		b.cluster.Close()
	})
}
