package interop_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// clientOpts tunes the test's own Kafka clients (the streamer and the
// collectors), never the servers under test.
type clientOpts struct {
	// redirect maps an address the broker advertises to the one to dial
	// instead: the test's clients bypass the fault-injecting proxy that
	// the servers go through.
	redirect map[string]string
	// isolation is the collectors' isolation level (default
	// read_uncommitted): read_committed sees committed transactions only.
	isolation sarama.IsolationLevel
}

// config returns a sarama config for the test's clients on brokers.
func (o clientOpts) config(t *testing.T, brokers []string) *sarama.Config {
	t.Helper()
	sc, err := testkafka.Config(brokers).Sarama()
	if err != nil {
		t.Fatal(err)
	}
	if len(o.redirect) > 0 {
		sc.Net.Proxy.Enable = true
		sc.Net.Proxy.Dialer = redirectDialer{to: o.redirect, d: &net.Dialer{Timeout: sc.Net.DialTimeout}}
	}
	sc.Consumer.IsolationLevel = o.isolation
	return sc
}

// redirectDialer dials to[addr] instead of addr when it is listed.
type redirectDialer struct {
	to map[string]string
	d  *net.Dialer
}

func (r redirectDialer) Dial(network, addr string) (net.Conn, error) {
	if a, ok := r.to[addr]; ok {
		addr = a
	}
	return r.d.Dial(network, addr)
}

// streamer produces {"id":1..} to a topic at a steady pace, keyed by the
// id, resending what the broker refused (so it rides out broker restarts);
// sent counts the acknowledged inputs. Each input's partition, offset and
// the time it was first handed to the producer are kept for the chaos
// measurements.
type streamer struct {
	sent   atomic.Int64 // ids 1..sent are acknowledged
	tried  atomic.Int64 // ids up to tried were handed to the producer (a batch stopped mid-resend may be written)
	resent atomic.Int64
	done   chan struct{}
	quit   chan struct{}
	once   sync.Once
	err    error

	mu   sync.Mutex
	meta []inputMeta // by id; index 0 unused
}

// inputMeta is where one input was written, and when the streamer first
// tried to write it (a write the broker holds up still counts as sent: the
// input exists for its producer).
type inputMeta struct {
	partition int32
	offset    int64
	sent      time.Time
	acked     time.Time
}

// streamSpec says what to stream.
type streamSpec struct {
	topic  string
	n      int                 // inputs to send; 0: until stop
	rate   float64             // inputs per second
	value  func(id int) string // the payload; default {"id":N}
	keyed  bool                // key each input with its id (partitioned by key)
	client clientOpts
}

// stream sends {"id":1..n} to topic, unkeyed, evenly over the duration.
func stream(t *testing.T, brokers []string, topic string, n int, over time.Duration) *streamer {
	t.Helper()
	return streamWith(t, brokers, streamSpec{topic: topic, n: n, rate: float64(n) / over.Seconds()})
}

func streamWith(t *testing.T, brokers []string, spec streamSpec) *streamer {
	t.Helper()
	sc := spec.client.config(t, brokers)
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	// Idempotent, so that a request sarama retries is never written twice;
	// what it gives up on is sent again below as new records.
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	sc.Producer.Retry.Max = 5
	sc.Producer.Retry.Backoff = 200 * time.Millisecond
	sc.Producer.Timeout = 5 * time.Second
	// A request sent while the broker restarts can stay unanswered: give
	// up on it well before the default 30 s, so the stream resumes soon
	// after the broker does.
	sc.Net.ReadTimeout = 8 * time.Second
	sc.Metadata.Retry.Max = 5
	sc.Metadata.Retry.Backoff = 200 * time.Millisecond
	p, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if spec.value == nil {
		spec.value = func(id int) string { return fmt.Sprintf(`{"id":%d}`, id) }
	}
	s := &streamer{done: make(chan struct{}), quit: make(chan struct{}), meta: make([]inputMeta, 1, spec.n+1)}
	const batch = 50
	tick := time.Duration(float64(time.Second) * batch / spec.rate)
	go func() {
		defer close(s.done)
		defer p.Close()
		next := time.Now()
		var giveUp time.Time // set while the broker refuses
		for first := 1; spec.n == 0 || first <= spec.n; first += batch {
			select {
			case <-s.quit:
				return
			default:
			}
			var msgs []*sarama.ProducerMessage
			for id := first; id < first+batch && (spec.n == 0 || id <= spec.n); id++ {
				m := &sarama.ProducerMessage{Topic: spec.topic, Value: sarama.StringEncoder(spec.value(id)), Metadata: id}
				if spec.keyed {
					m.Key = sarama.StringEncoder(strconv.Itoa(id))
				}
				msgs = append(msgs, m)
			}
			last := first + len(msgs) - 1
			sent := time.Now()
			s.tried.Store(int64(last))
			latest := append([]*sarama.ProducerMessage(nil), msgs...) // by id-first: the last copy sent
			pending := msgs
			for len(pending) > 0 {
				err := p.SendMessages(pending)
				if err == nil {
					giveUp = time.Time{}
					break
				}
				var pe sarama.ProducerErrors
				if giveUp.IsZero() {
					giveUp = time.Now().Add(3 * time.Minute)
				}
				if !errors.As(err, &pe) || time.Now().After(giveUp) {
					s.err = fmt.Errorf("producing ids %d..%d: %w", first, last, err)
					return
				}
				pending = pending[:0]
				for _, e := range pe {
					m := *e.Msg
					again := &sarama.ProducerMessage{Topic: m.Topic, Key: m.Key, Value: m.Value, Metadata: m.Metadata}
					latest[m.Metadata.(int)-first] = again
					pending = append(pending, again)
				}
				s.resent.Add(int64(len(pending)))
				select {
				case <-s.quit:
					return
				case <-time.After(500 * time.Millisecond):
				}
			}
			// SendMessages set each message's partition and offset; a
			// resent one's are on its last copy.
			acked := time.Now()
			s.mu.Lock()
			for len(s.meta) <= last {
				s.meta = append(s.meta, inputMeta{})
			}
			for _, m := range latest {
				s.meta[m.Metadata.(int)] = inputMeta{partition: m.Partition, offset: m.Offset, sent: sent, acked: acked}
			}
			s.mu.Unlock()
			s.sent.Store(int64(last))
			next = next.Add(tick)
			select {
			case <-s.quit:
				return
			case <-time.After(time.Until(next)):
			}
		}
	}()
	t.Cleanup(s.stop)
	return s
}

// stop ends an open-ended stream (and any stream at test end) and waits for
// the producer to finish.
func (s *streamer) stop() {
	s.once.Do(func() { close(s.quit) })
	<-s.done
}

func (s *streamer) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("producer still sending after %v (%d sent)", d, s.sent.Load())
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

// inputs returns a copy of what the broker said about ids 1..sent.
func (s *streamer) inputs() []inputMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]inputMeta(nil), s.meta...)
}

// collector reads every partition of a response topic from the beginning
// and counts the responses per repository id (or, for a dead letter
// topic, per input key), keeping when each was written.
type collector struct {
	mu     sync.Mutex
	counts map[int64]int
	ids    int // distinct ids answered, from minID to maxID
	minID  int64
	maxID  int64
	first  map[int64]time.Time // the first response's timestamp per id
	seen   []answer            // every response, in arrival order
	total  int
	bad    []string
	dead   []deadLetter    // dead letter topics only
	next   map[int32]int64 // per partition: the offset after the last record read
	last   time.Time       // when the last record arrived
	topic  string
	stop   func()
	// markers: the topic is written in transactions, so its partitions may
	// end with transaction markers, which no reader is given.
	markers bool
}

// answer is one response: the input id it answers and when it was written
// (its record timestamp, or when it arrived when that is missing).
type answer struct {
	id int64
	at time.Time
}

// deadLetter is one record of a dead letter topic.
type deadLetter struct {
	id      int64
	value   string
	headers map[string]string
}

func collect(t *testing.T, brokers []string, topic string) *collector {
	t.Helper()
	return collectWith(t, brokers, topic, false, clientOpts{})
}

// collectWith reads topic; deadLetters reads a dead letter topic, whose
// records are identified by the input's key.
func collectWith(t *testing.T, brokers []string, topic string, deadLetters bool, o clientOpts) *collector {
	t.Helper()
	sc := o.config(t, brokers)
	sc.Consumer.Retry.Backoff = 200 * time.Millisecond
	sc.Metadata.Retry.Max = 20
	sc.Metadata.Retry.Backoff = 250 * time.Millisecond
	c, err := sarama.NewConsumer(brokers, sc)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("collect: partitions of %s: %v", topic, err)
	}
	col := &collector{counts: map[int64]int{}, first: map[int64]time.Time{}, next: map[int32]int64{}, topic: topic}
	var pcs []sarama.PartitionConsumer
	var wg sync.WaitGroup
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("collect %s/%d: %v", topic, p, err)
		}
		pcs = append(pcs, pc)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range pc.Errors() { // retried by sarama; drained so it never blocks
			}
		}()
		go func() {
			defer wg.Done()
			for m := range pc.Messages() {
				col.add(m, deadLetters)
			}
		}()
	}
	var once sync.Once
	col.stop = func() {
		once.Do(func() {
			for _, pc := range pcs {
				pc.AsyncClose()
			}
			wg.Wait()
			_ = c.Close()
		})
	}
	t.Cleanup(col.stop)
	return col
}

func (c *collector) add(m *sarama.ConsumerMessage, deadLetters bool) {
	at := m.Timestamp
	if at.IsZero() {
		at = time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.next[m.Partition] = max(c.next[m.Partition], m.Offset+1)
	c.last = time.Now()
	var id int64
	if deadLetters {
		n, err := strconv.ParseInt(string(m.Key), 10, 64)
		if err != nil {
			c.bad = append(c.bad, fmt.Sprintf("key %q: %s", m.Key, m.Value))
			return
		}
		d := deadLetter{id: n, value: string(m.Value), headers: map[string]string{}}
		for _, h := range m.Headers {
			d.headers[string(h.Key)] = string(h.Value)
		}
		c.dead = append(c.dead, d)
		id = n
	} else {
		var src struct {
			RepositoryID *int64 `json:"repository_id"`
		}
		if json.Unmarshal(m.Value, &src) != nil || src.RepositoryID == nil {
			c.bad = append(c.bad, string(m.Value))
			return
		}
		id = *src.RepositoryID
	}
	if c.counts[id] == 0 {
		c.ids++
		if c.ids == 1 || id < c.minID {
			c.minID = id
		}
		c.maxID = max(c.maxID, id)
	}
	c.counts[id]++
	if f, ok := c.first[id]; !ok || at.Before(f) {
		c.first[id] = at
	}
	c.seen = append(c.seen, answer{id, at})
}

// drain waits (at most d) until the collector has read every partition of
// its topic up to the end it has now.
func (c *collector) drain(t *testing.T, brokers []string, o clientOpts, d time.Duration) {
	t.Helper()
	cl, err := sarama.NewClient(brokers, o.config(t, brokers))
	if err != nil {
		t.Fatalf("drain %s: %v", c.topic, err)
	}
	defer cl.Close()
	parts, err := cl.Partitions(c.topic)
	if err != nil {
		t.Fatalf("drain %s: %v", c.topic, err)
	}
	ends := map[int32]int64{}
	for _, p := range parts {
		if ends[p], err = cl.GetOffset(c.topic, p, sarama.OffsetNewest); err != nil {
			t.Fatalf("drain %s/%d: %v", c.topic, p, err)
		}
	}
	deadline := time.Now().Add(d)
	for {
		c.mu.Lock()
		behind := 0
		for p, end := range ends {
			if c.next[p] < end {
				behind++
			}
		}
		idle := time.Since(c.last)
		c.mu.Unlock()
		if behind == 0 {
			return
		}
		if (o.isolation == sarama.ReadCommitted || c.markers) && idle > drainIdle {
			// No reader gets transaction markers (a read_committed reader
			// also skips aborted records): a partition whose last offsets
			// are markers is read to its end once nothing more comes.
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: %d partitions not read to their end within %v", c.topic, behind, d)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// drainIdle is how long a read_committed drain waits for more records.
const drainIdle = 3 * time.Second

// answered returns how many of ids 1..n have a response.
func (c *collector) answered(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == 0 {
		return 0
	}
	if c.minID >= 1 && c.maxID <= int64(n) {
		return c.ids // every id seen is in 1..n: no need to scan n ids
	}
	got := 0
	for id := int64(1); id <= int64(n); id++ {
		if c.counts[id] > 0 {
			got++
		}
	}
	return got
}

// report checks that ids 1..n each have at least one response and nothing
// else came, and returns the duplicates (responses beyond the first).
func (c *collector) report(t *testing.T, n int) (duplicates int, dupIDs int) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var lost []int64
	for id := int64(1); id <= int64(n); id++ {
		switch k := c.counts[id]; {
		case k == 0:
			lost = append(lost, id)
		case k > 1:
			duplicates += k - 1
			dupIDs++
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d inputs have no response (first: %v)", len(lost), n, lost[:min(len(lost), 20)])
	}
	if len(c.counts) != n-len(lost) || len(c.bad) > 0 {
		t.Errorf("unexpected responses: %d ids answered for %d inputs, %d malformed (%q)", len(c.counts), n, len(c.bad), c.bad[:min(len(c.bad), 5)])
	}
	return duplicates, dupIDs
}
