package franzclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// leaveTimeout bounds leaving the group and closing the client in Close.
const leaveTimeout = 5 * time.Second

// group is a client.Group on one kgo client, made on the first Consume.
// kgo manages the group membership in the background from then on: the
// callbacks below turn its sessions into the runtime's, one per Consume.
type group struct {
	cfg  client.GroupConfig
	opts []kgo.Opt // connection options (kafka.Config.Franz)
	log  *slog.Logger

	bg sync.WaitGroup // topicGone checks

	mu        sync.Mutex
	cl        *kgo.Client        // nil until connected
	base      context.Context    // cl's context (kgo.WithContext)
	cutBase   context.CancelFunc // ends base: every wait of cl ends
	cutTimer  *time.Timer
	cutAt     time.Time // earliest Cut; zero: none
	closed    bool
	consuming bool
	sess      *session // kgo's current session, until revoked
	manageErr error    // why kgo's group management last failed, for Consume
	missing   []string
	wake      chan struct{} // closed (and replaced) when sess or manageErr change
	pollStop  context.CancelFunc
	pollDone  chan struct{}
	goneAt    time.Time // last topicGone check
}

var _ client.Group = (*group)(nil)

func newGroup(cfg client.GroupConfig, opts []kgo.Opt) *group {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Topics = slices.Clone(cfg.Topics)
	return &group{cfg: cfg, opts: opts, log: log, wake: make(chan struct{})}
}

// notify wakes a Consume waiting for a session. g.mu is held.
func (g *group) notify() {
	close(g.wake)
	g.wake = make(chan struct{})
}

func (g *group) errClosed() error {
	return fmt.Errorf("franzclient: group %s: %w", g.cfg.Group, client.ErrClosed)
}

// Consume runs one session: see client.Group.
func (g *group) Consume(ctx context.Context, h client.Handler) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err := g.begin(); err != nil {
		return err
	}
	defer g.finish()
	cl, base, fresh, err := g.connect()
	if err != nil {
		return err
	}
	if err := g.checkTopics(ctx, cl); err != nil {
		if fresh && errors.Is(err, client.ErrUnreachable) {
			// As with sarama, where a client that reached no broker
			// is not made: the next Consume starts over.
			g.drop(cl)
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	s, err := g.await(ctx, cl, base)
	if err != nil {
		return err
	}
	return g.run(ctx, s, h)
}

// begin notes that a Consume runs: one at a time, none after Close.
func (g *group) begin() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return g.errClosed()
	}
	if g.consuming {
		return fmt.Errorf("franzclient: group %s: Consume called while another runs", g.cfg.Group)
	}
	g.consuming = true
	return nil
}

func (g *group) finish() {
	g.mu.Lock()
	g.consuming = false
	g.mu.Unlock()
}

// connect makes the kgo client unless there is one; fresh says it is new.
// kgo starts joining the group in the background right away.
func (g *group) connect() (cl *kgo.Client, base context.Context, fresh bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, nil, false, g.errClosed()
	}
	if g.cl != nil {
		return g.cl, g.base, false, nil
	}
	base, cut := context.WithCancel(context.Background())
	hook := &manageHook{g: g}
	opts := slices.Concat(g.opts, groupOpts(g.cfg), []kgo.Opt{
		kgo.WithContext(base),
		kgo.WithLogger(&slogLogger{l: g.log}),
		kgo.WithHooks(hook),
		kgo.OnPartitionsAssigned(g.assigned),
		kgo.OnPartitionsRevoked(func(_ context.Context, cl *kgo.Client, _ map[string][]int32) { g.revoked(cl, errRevoked) }),
		kgo.OnPartitionsLost(func(_ context.Context, cl *kgo.Client, _ map[string][]int32) { g.revoked(cl, errLost) }),
		kgo.OnOffsetsFetched(g.offsetsFetched),
	})
	cl, err = kgo.NewClient(opts...)
	if err != nil {
		cut()
		return nil, nil, false, fmt.Errorf("%w: franzclient: group %s: %w", kafka.ErrInvalidConfig, g.cfg.Group, err)
	}
	hook.cl.Store(cl)
	g.cl, g.base, g.cutBase = cl, base, cut
	if !g.cutAt.IsZero() {
		g.scheduleCut()
	}
	pollCtx, stop := context.WithCancel(base)
	g.pollStop, g.pollDone = stop, make(chan struct{})
	go g.poll(pollCtx, cl, g.pollDone)
	return cl, base, true, nil
}

// drop closes cl, a client that reached no broker, so that the next
// Consume makes a new one.
func (g *group) drop(cl *kgo.Client) {
	g.mu.Lock()
	if g.cl != cl {
		g.mu.Unlock()
		return
	}
	stop, done, cut := g.pollStop, g.pollDone, g.cutBase
	if g.cutTimer != nil {
		g.cutTimer.Stop()
	}
	g.cl, g.base, g.cutBase, g.cutTimer, g.sess = nil, nil, nil, nil, nil
	g.mu.Unlock()
	stop()
	cut() // nothing to leave: end every wait at once
	cl.Close()
	<-done
}

// await waits for a session of kgo to run: assigned, with its committed
// offsets fetched. Meanwhile it checks every topicCheckGap that the
// group's topics exist, since kgo waits for missing ones without a word.
func (g *group) await(ctx context.Context, cl *kgo.Client, base context.Context) (*session, error) {
	tick := time.NewTicker(topicCheckGap)
	defer tick.Stop()
	for {
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			return nil, g.errClosed()
		}
		s := g.sess
		if s != nil && s.state == ended {
			// A Consume ended this session itself (its context,
			// Setup's error, a deleted topic) and kgo still holds
			// the partitions. A forced rejoin makes kgo start a new
			// session, whose partitions start over from the
			// committed offsets (as a new sarama session does).
			g.sess = nil
			g.mu.Unlock()
			cl.ForceRebalance()
			continue
		}
		if s != nil && s.ready && s.state == pending {
			s.state = running
			g.missing = nil
			g.mu.Unlock()
			return s, nil
		}
		if err := g.manageErr; err != nil {
			g.manageErr = nil
			g.mu.Unlock()
			return nil, err
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-base.Done():
			if g.isClosed() {
				return nil, g.errClosed()
			}
			return nil, fmt.Errorf("franzclient: group %s: %w", g.cfg.Group, errCut)
		case <-wake:
		case <-tick.C:
			if err := g.checkTopics(ctx, cl); err != nil {
				if ctx.Err() != nil {
					return nil, context.Cause(ctx)
				}
				return nil, err
			}
		}
	}
}

func (g *group) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// run runs session s with h, until kgo revokes it or ctx ends.
func (g *group) run(ctx context.Context, s *session, h client.Handler) error {
	stop := context.AfterFunc(ctx, func() { s.cancel(context.Cause(ctx)) })
	defer stop()
	err := h.Setup(s)
	if err != nil {
		s.cancel(err)
	} else {
		var wg sync.WaitGroup
		for _, c := range s.order {
			wg.Go(func() {
				if err := h.ConsumeClaim(s, c); err != nil {
					g.log.Warn("kafka client: consuming a claim failed", "group", g.cfg.Group,
						"topic", c.tp.topic, "partition", c.tp.partition, "error", err)
				}
			})
		}
		<-s.ctx.Done()
		wg.Wait()
	}
	// Cleanup commits what the claims marked; kgo's revoke callback
	// waits for it (revoked), so it happens before the partitions move.
	if cerr := h.Cleanup(s); cerr != nil && err == nil {
		err = cerr
	}
	g.mu.Lock()
	s.state = ended
	close(s.done)
	if g.sess == s {
		// kgo still fetches the partitions for this session, whose
		// records are dropped now: stop that until the next session
		// (assigned resumes them).
		s.cl.PauseFetchPartitions(s.assignment())
	}
	g.mu.Unlock()
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	if cause := context.Cause(s.ctx); errors.Is(cause, client.ErrUnknownTopicOrPartition) {
		return cause // a topic of the session was deleted (topicGone)
	}
	return nil // a rebalance
}

// assigned is kgo's OnPartitionsAssigned: a session begins. Its claims
// exist before kgo fetches anything for it, so no record is lost.
func (g *group) assigned(_ context.Context, cl *kgo.Client, assigned map[string][]int32) {
	g.mu.Lock()
	if g.cl != cl {
		g.mu.Unlock()
		return
	}
	if old := g.sess; old != nil { // kgo revokes first; just in case
		if old.state == pending {
			old.state = ended
		}
		old.cancel(errRevoked)
	}
	g.sess = newSession(g, cl, g.base, assigned)
	g.manageErr = nil
	g.notify()
	g.mu.Unlock()
	// A new session starts with every partition fetching, as sarama's
	// new partition consumers do: resume what an earlier one paused.
	if paused := cl.PauseFetchPartitions(nil); len(paused) > 0 {
		cl.ResumeFetchPartitions(paused)
	}
}

// offsetsFetched is kgo's OnOffsetsFetched: the session's committed
// offsets are known (its claims' InitialOffset), so it may run.
func (g *group) offsetsFetched(_ context.Context, cl *kgo.Client, resp *kmsg.OffsetFetchResponse) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.sess; g.cl == cl && s != nil {
		s.fetched(resp)
		s.ready = true
		g.notify()
	}
	return nil
}

// revoked is kgo's OnPartitionsRevoked and OnPartitionsLost: the session
// ends. A running one is waited for until its Cleanup returned (so that
// its commit precedes the rebalance), unless the client is cut meanwhile.
// kgo calls it from its group management goroutine, which heartbeats on
// meanwhile (a revoke is bounded by the rebalance timeout).
func (g *group) revoked(cl *kgo.Client, cause error) {
	g.mu.Lock()
	if g.cl != cl {
		g.mu.Unlock()
		return
	}
	s, base := g.sess, g.base
	g.sess = nil
	wait := false
	if s != nil {
		if s.state == running {
			wait = true
		} else {
			s.state = ended
		}
		s.cancel(cause)
	}
	g.notify()
	g.mu.Unlock()
	if wait {
		select {
		case <-s.done:
		case <-base.Done():
		}
	}
}

// manageHook hands the errors that end kgo's group management (a refused
// join, for instance) to Consume.
type manageHook struct {
	g  *group
	cl atomic.Pointer[kgo.Client]
}

var _ kgo.HookGroupManageError = (*manageHook)(nil)

func (h *manageHook) OnGroupManageError(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
		return // leaving
	}
	g := h.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cl != h.cl.Load() {
		return
	}
	g.manageErr = coded(err, "franzclient: group %s", g.cfg.Group)
	g.notify()
}

// Missing returns the topics the last check found missing.
func (g *group) Missing() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.missing)
}

// Pause stops fetching a partition of the running session until Resume.
func (g *group) Pause(topic string, partition int32)  { g.hold(topic, partition, true) }
func (g *group) Resume(topic string, partition int32) { g.hold(topic, partition, false) }

func (g *group) hold(topic string, partition int32, on bool) {
	g.mu.Lock()
	s := g.sess
	if s == nil || s.state != running {
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	if c := s.claims[tp{topic, partition}]; c != nil {
		c.hold(on)
	}
}

// CutJoin cuts every wait by at while no session runs; in a session it
// does nothing, as client.Group says: the member drains, commits and then
// leaves the group with its client's context still alive (Close cuts it
// later). Keeping a cut for the end of the session cancelled that context
// before Close, so kgo's LeaveGroup failed at once, and the other members
// waited a whole session timeout for the partitions at every graceful
// shutdown (TestGroup_gracefulShutdownLeavesTheGroup).
func (g *group) CutJoin(at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.sess; s != nil && s.state == running {
		return
	}
	g.cutLocked(at)
}

// Cut makes every wait for the broker end by at: kgo's context ends then,
// which fails its pending requests (a join the coordinator holds, a
// frozen broker) and ends the revoke callback's wait for Cleanup.
func (g *group) Cut(at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cutLocked(at)
}

func (g *group) cutLocked(at time.Time) {
	if !g.cutAt.IsZero() && !at.Before(g.cutAt) {
		return
	}
	g.cutAt = at
	g.scheduleCut()
}

// scheduleCut ends the client's context at g.cutAt. g.mu is held.
func (g *group) scheduleCut() {
	if g.cutBase == nil {
		return // applied when connecting
	}
	if g.cutTimer != nil {
		g.cutTimer.Stop()
	}
	g.cutTimer = time.AfterFunc(time.Until(g.cutAt), g.cutBase)
}

// Close leaves the group (within leaveTimeout) and closes the client.
func (g *group) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.notify()
	cl, stop, done := g.cl, g.pollStop, g.pollDone
	if cl != nil {
		g.cutLocked(time.Now().Add(leaveTimeout))
	}
	g.mu.Unlock()
	if cl == nil {
		return nil
	}
	stop()
	cl.Close() // leaves the group: the revoke callback runs first
	<-done
	g.bg.Wait()
	g.mu.Lock()
	if g.cutTimer != nil {
		g.cutTimer.Stop()
	}
	g.cutBase()
	g.mu.Unlock()
	return nil
}

// Connected reports whether the member has a client that reached a
// broker (a client that reached none is dropped, see Consume) and was not
// closed since.
func (g *group) Connected() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cl != nil && !g.closed
}
