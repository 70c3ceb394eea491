package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/embedded"
)

type benchFlags struct {
	brokers      string
	inproc       bool
	n            int64
	rounds       int
	implList     string
	partitions   int
	rate         int
	duration     time.Duration
	warmup       time.Duration
	latImpls     string
	sendLinger   time.Duration
	latRounds    int
	backlog      int64
	memImpls     string
	routes       string
	scaleParts   int
	scaleImpls   string
	scaleTimeout time.Duration
	trialTimeout time.Duration
	jsonOut      string
	mdOut        string
	profileDir   string
}

type bench struct {
	f       benchFlags
	brokers []string
	runID   string
	seq     int
	res     *Results
	broker  *child
	reg     *benchRegistry // started by the first schema implementation
}

func benchMain(mode string, args []string) error {
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	var f benchFlags
	fs.StringVar(&f.brokers, "brokers", "", "use these brokers (e.g. real Kafka 127.0.0.1:19092) instead of starting one")
	fs.BoolVar(&f.inproc, "inproc-broker", false, "run the embedded broker inside this (parent) process")
	fs.Int64Var(&f.n, "n", 200_000, "throughput: messages per trial")
	fs.IntVar(&f.rounds, "rounds", 5, "throughput: interleaved rounds")
	fs.StringVar(&f.implList, "impls", "karafka,sarama,franz,goka,watermill", "throughput: implementations, in round order")
	fs.IntVar(&f.partitions, "partitions", 4, "partitions of in/out topics")
	fs.IntVar(&f.rate, "rate", 10_000, "latency: offered messages per second")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "latency: measured sending time")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "latency: sending time before measuring")
	fs.StringVar(&f.latImpls, "latency-impls", "karafka,sarama,franz", "latency: implementations")
	fs.IntVar(&f.latRounds, "latency-rounds", 3, "latency: interleaved rounds of every implementation")
	fs.DurationVar(&f.sendLinger, "send-linger", time.Millisecond, "latency: the harness's sending producer lingers this long to batch, like any batching client (0: a request per record as soon as possible, which nearly doubles the broker's CPU per message)")
	fs.Int64Var(&f.backlog, "backlog", 200_000, "memory: backlog drained (the issue asks for 1000000)")
	fs.StringVar(&f.memImpls, "memory-impls", "karafka,sarama", "memory: implementations")
	fs.StringVar(&f.routes, "routes", "1,10,100,1000", "scale: route counts")
	fs.IntVar(&f.scaleParts, "scale-partitions", 1, "scale: partitions per route topic")
	fs.StringVar(&f.scaleImpls, "scale-impls", "karafka", "scale: implementations (karafka, karafka-franz: the runtime on sarama or on franz-go)")
	fs.DurationVar(&f.scaleTimeout, "scale-timeout", 5*time.Minute, "scale: give up on one layout after this")
	fs.DurationVar(&f.trialTimeout, "trial-timeout", 5*time.Minute, "throughput/memory: give up on one trial after this")
	fs.StringVar(&f.jsonOut, "json", "", "write results as JSON here")
	fs.StringVar(&f.mdOut, "md", "", "write results as Markdown here")
	fs.StringVar(&f.profileDir, "profile", "", "write worker CPU and allocation profiles here (every trial's worker)")
	_ = fs.Parse(args)

	b := &bench{f: f, runID: strconv.FormatInt(time.Now().UnixNano()%1e9, 36), res: newResults()}
	if err := b.startBroker(); err != nil {
		return err
	}
	defer b.stopBroker()
	defer func() {
		if b.reg != nil {
			b.reg.Close()
		}
	}()
	var err error
	modes := []string{mode}
	if mode == "all" {
		modes = []string{"throughput", "latency", "memory", "scale"}
	}
	for _, m := range modes {
		switch m {
		case "throughput":
			err = b.throughput()
		case "latency":
			err = b.latency()
		case "memory":
			err = b.memory()
		case "scale":
			err = b.scale()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "\n%s: %v\n", m, err)
			b.res.Errors = append(b.res.Errors, fmt.Sprintf("%s: %v", m, err))
		}
	}
	bar.done()
	md := b.res.markdown()
	fmt.Print(md)
	if f.mdOut != "" {
		if err := os.WriteFile(f.mdOut, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if f.jsonOut != "" {
		js, _ := json.MarshalIndent(b.res, "", "  ")
		if err := os.WriteFile(f.jsonOut, js, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) startBroker() error {
	switch {
	case b.f.brokers != "":
		b.brokers = strings.Split(b.f.brokers, ",")
		b.res.Broker = "external: " + b.f.brokers
	case b.f.inproc:
		eb, err := embedded.Start(embedded.Addr("127.0.0.1:0"))
		if err != nil {
			return err
		}
		b.brokers = eb.Addrs()
		b.res.Broker = "embedded kfake in the harness process"
	default:
		addr, err := freePort()
		if err != nil {
			return err
		}
		c, err := spawnSelf("broker", "--listen", addr)
		if err != nil {
			return err
		}
		if err := waitTCP(addr, 30*time.Second); err != nil {
			return err
		}
		b.broker = c
		b.brokers = []string{addr}
		b.res.Broker = "embedded kfake (franz-go pkg/kfake) as a separate process (`karafka-bench broker`, same code as `karafka-actors broker`)"
	}
	return nil
}

func (b *bench) stopBroker() {
	if b.broker != nil {
		cpu, _, _ := b.broker.stop(10 * time.Second)
		b.res.BrokerCPUSeconds = cpu
	}
}

func (b *bench) name(kind string) string {
	b.seq++
	return fmt.Sprintf("kb%s_%s%d", b.runID, kind, b.seq)
}

func (b *bench) workerArgs(impl, group, out string, extra ...string) []string {
	a := []string{"worker", "--impl", impl, "--brokers", strings.Join(b.brokers, ","), "--group", group, "--out", out}
	if b.reg != nil && implFormat(impl) != 0 {
		a = append(a, "--registry", b.reg.URL())
	}
	return append(a, extra...)
}

// wire is how impl's topics are written; a schema implementation starts
// the registry (once).
func (b *bench) wire(impl string) (wire, error) {
	f := implFormat(impl)
	if f == 0 {
		return jsonWire, nil
	}
	if b.reg == nil {
		r, err := startRegistry()
		if err != nil {
			return wire{}, err
		}
		b.reg = r
		b.res.Registry = "in-memory (franz-go pkg/sr/srfake) in the harness process"
	}
	return wire{format: f, reg: b.reg.client}, nil
}

// jsonOnly refuses a schema implementation in a mode whose harness reads
// or writes JSON only.
func jsonOnly(mode, impl string) error {
	if implFormat(impl) != 0 {
		return fmt.Errorf("%s: impl %q: schema implementations run in the throughput and memory modes only", mode, impl)
	}
	return nil
}

// ---- throughput ----

type Trial struct {
	Impl        string       `json:"impl"`
	Round       int          `json:"round"`
	N           int64        `json:"n"`
	FirstOutS   float64      `json:"first_output_s"`   // spawn → first response on "out"
	TotalS      float64      `json:"total_s"`          // spawn → N responses acked
	SteadyRate  float64      `json:"steady_msg_per_s"` // from first response to N
	OverallRate float64      `json:"overall_msg_per_s"`
	CPUus       float64      `json:"cpu_us_per_msg"`                  // client CPU until N acked / N
	SteadyCPUus float64      `json:"steady_cpu_us_per_msg"`           // CPU between first response and N / messages in between
	BrokerCPUus float64      `json:"broker_cpu_us_per_msg,omitempty"` // broker CPU from spawn until N acked / N (broker is our child)
	PeakRSS     int64        `json:"peak_rss_bytes"`
	InBytes     float64      `json:"in_bytes_per_msg,omitempty"` // mean size of an input record's value
	Verify      verifyResult `json:"verify"`
	Err         string       `json:"error,omitempty"`
}

func (b *bench) throughput() error {
	implNames := strings.Split(b.f.implList, ",")
	total := b.f.rounds * len(implNames)
	k := 0
	for r := 1; r <= b.f.rounds; r++ {
		for _, impl := range implNames {
			k++
			label := fmt.Sprintf("throughput %d/%d %s round %d", k, total, impl, r)
			t, err := b.throughputTrial(impl, r, label, float64(k-1)/float64(total), 1/float64(total))
			if err != nil {
				t.Err = err.Error()
				fmt.Fprintf(os.Stderr, "\n%s: %v\n", label, err)
			}
			b.res.Throughput = append(b.res.Throughput, t)
		}
	}
	b.res.summarize()
	return nil
}

func (b *bench) throughputTrial(impl string, round int, label string, base, span float64) (Trial, error) {
	t := Trial{Impl: impl, Round: round, N: b.f.n}
	in, out := b.name("in"), b.name("out")
	ctx := context.Background()
	if err := createTopics(ctx, b.brokers, int32(b.f.partitions), in, out); err != nil {
		return t, err
	}
	w, err := b.wire(impl)
	if err != nil {
		return t, err
	}
	inBytes, err := prefillWire(b.brokers, in, w, 0, b.f.n, func(d int64) {
		bar.draw(label+": pre-filling", base+span*0.3*float64(d)/float64(b.f.n))
	})
	if err != nil {
		return t, err
	}
	t.InBytes = float64(inBytes) / float64(b.f.n)
	wm, err := newWatermark(b.brokers, out)
	if err != nil {
		return t, err
	}
	defer wm.Close()
	var extra []string
	if b.f.profileDir != "" {
		_ = os.MkdirAll(b.f.profileDir, 0o755)
		file := strings.ReplaceAll(impl, "/", "-") // karafka/1ms
		extra = append(extra, "--cpuprofile", filepath.Join(b.f.profileDir, fmt.Sprintf("%s-cpu-r%d.pprof", file, round)),
			"--memprofile", filepath.Join(b.f.profileDir, fmt.Sprintf("%s-allocs-r%d.pprof", file, round)))
	}
	c, err := spawnSelf(append(b.workerArgs(impl, "g"+in, out, "--in", in), extra...)...)
	if err != nil {
		return t, err
	}
	pid := c.pid()
	brokerCPU := func() float64 {
		if b.broker == nil {
			return 0
		}
		return procCPU(b.broker.pid())
	}
	brokerCPU0 := brokerCPU()
	var tFirst time.Time
	var sFirst int64
	var cpuFirst float64
	lastRSS := time.Time{}
	deadline := time.Now().Add(b.f.trialTimeout)
	var runErr error
	for {
		time.Sleep(5 * time.Millisecond)
		s, err := wm.sum()
		now := time.Now()
		if err != nil {
			runErr = err
			break
		}
		if now.Sub(lastRSS) >= 50*time.Millisecond {
			t.PeakRSS = max(t.PeakRSS, procRSS(pid))
			lastRSS = now
		}
		if s > 0 && tFirst.IsZero() {
			tFirst, sFirst, cpuFirst = now, s, procCPU(pid)
			t.FirstOutS = now.Sub(c.start).Seconds()
		}
		bar.draw(label, base+span*(0.3+0.7*float64(s)/float64(b.f.n)))
		if s >= b.f.n {
			cpu := procCPU(pid)
			t.PeakRSS = max(t.PeakRSS, procRSS(pid))
			t.TotalS = now.Sub(c.start).Seconds()
			t.OverallRate = float64(b.f.n) / t.TotalS
			if d := now.Sub(tFirst).Seconds(); d > 0 && s > sFirst {
				t.SteadyRate = float64(b.f.n-sFirst) / d
				t.SteadyCPUus = (cpu - cpuFirst) / float64(b.f.n-sFirst) * 1e6
			}
			t.CPUus = cpu / float64(b.f.n) * 1e6
			if b.broker != nil {
				t.BrokerCPUus = (brokerCPU() - brokerCPU0) / float64(b.f.n) * 1e6
			}
			break
		}
		if now.After(deadline) {
			runErr = fmt.Errorf("timed out after %v with %d/%d responses", b.f.trialTimeout, s, b.f.n)
			break
		}
	}
	_, maxRSS, stopErr := c.stop(30 * time.Second)
	t.PeakRSS = max(t.PeakRSS, maxRSS)
	if runErr != nil {
		return t, runErr
	}
	if stopErr != nil {
		fmt.Fprintf(os.Stderr, "\n%s: stop: %v\n", label, stopErr)
	}
	v, err := verifyWire(b.brokers, out, w, b.f.n)
	t.Verify = v
	if err != nil {
		return t, fmt.Errorf("verify: %w", err)
	}
	if v.Missing > 0 {
		return t, fmt.Errorf("%d of %d ids missing in %s", v.Missing, b.f.n, out)
	}
	return t, nil
}

// ---- latency ----

type Latency struct {
	Round    int     `json:"round"`
	Impl     string  `json:"impl"`
	Rate     int     `json:"offered_msg_per_s"`
	Sent     int64   `json:"measured_sent"`
	Received int64   `json:"measured_received"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	P999ms   float64 `json:"p99_9_ms"`
	MaxMs    float64 `json:"max_ms"`
	// The two hops, where the worker stamps the time it decoded a message:
	// send → decoded by the worker, and decoded → read from "out".
	InP50ms  float64 `json:"in_hop_p50_ms,omitempty"`
	InP99ms  float64 `json:"in_hop_p99_ms,omitempty"`
	OutP50ms float64 `json:"out_hop_p50_ms,omitempty"`
	OutP99ms float64 `json:"out_hop_p99_ms,omitempty"`
	// CPU µs per measured message while sending, of the worker, the
	// harness (sender and reader) and the broker when it is our child.
	WorkerCPUus  float64 `json:"worker_cpu_us_per_msg,omitempty"`
	HarnessCPUus float64 `json:"harness_cpu_us_per_msg,omitempty"`
	BrokerCPUus  float64 `json:"broker_cpu_us_per_msg,omitempty"`
	Err          string  `json:"error,omitempty"`
}

func (b *bench) latency() error {
	for round := 1; round <= max(1, b.f.latRounds); round++ {
		for i, impl := range strings.Split(b.f.latImpls, ",") {
			l, err := b.latencyRun(impl, fmt.Sprintf("latency round %d %s", round, impl), i)
			l.Round = round
			if err != nil {
				l.Err = err.Error()
				fmt.Fprintf(os.Stderr, "\nlatency %s: %v\n", impl, err)
			}
			b.res.Latency = append(b.res.Latency, l)
		}
	}
	b.res.summarizeLatency()
	return nil
}

func (b *bench) latencyRun(impl, label string, _ int) (Latency, error) {
	l := Latency{Impl: impl, Rate: b.f.rate}
	if err := jsonOnly("latency", impl); err != nil {
		return l, err
	}
	in, out := b.name("lin"), b.name("lout")
	if err := createTopics(context.Background(), b.brokers, int32(b.f.partitions), in, out); err != nil {
		return l, err
	}
	// Output side: a consumer of every partition of "out" from the start,
	// read_committed: a karafka-eos response counts once its transaction
	// committed (for contenders that write no transactions it is the same
	// as read_uncommitted).
	sc := baseSarama(b.brokers)
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	cons, err := sarama.NewConsumer(b.brokers, sc)
	if err != nil {
		return l, err
	}
	defer cons.Close()
	parts, err := cons.Partitions(out)
	if err != nil {
		return l, fmt.Errorf("partitions of %s: %w", out, err)
	}
	// "floor" runs no worker: the reader reads "in" itself, which measures
	// the harness's producer, the broker and the reader (one hop).
	floor := impl == "floor"
	if floor {
		out = in
	}
	var mu sync.Mutex
	var lats, ins, outs []int64
	var measureFrom int64 // unix nanos; only messages sent after it count
	var seenAny bool
	var received int64
	var wg sync.WaitGroup
	stopCons := make(chan struct{})
	for _, p := range parts {
		pc, err := cons.ConsumePartition(out, p, sarama.OffsetOldest)
		if err != nil {
			return l, fmt.Errorf("read %s/%d: %w", out, p, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer pc.Close()
			var v struct {
				ID   int64 `json:"id"`
				TS   int64 `json:"ts"`
				Seen int64 `json:"seen"`
			}
			for {
				select {
				case <-stopCons:
					return
				case m := <-pc.Messages():
					now := time.Now().UnixNano()
					v.Seen = 0
					if json.Unmarshal(m.Value, &v) != nil {
						continue
					}
					mu.Lock()
					seenAny = true
					if measureFrom > 0 && v.TS >= measureFrom && v.ID >= 0 {
						lats = append(lats, now-v.TS)
						if v.Seen > 0 {
							ins, outs = append(ins, v.Seen-v.TS), append(outs, now-v.Seen)
						}
						received++
					}
					mu.Unlock()
				}
			}
		}()
	}
	defer func() { close(stopCons); wg.Wait() }()

	pcfg := baseSarama(b.brokers)
	pcfg.Producer.RequiredAcks = sarama.WaitForLocal
	pcfg.Producer.Return.Successes = false
	pcfg.Producer.Return.Errors = false
	pcfg.Producer.Flush.Frequency = b.f.sendLinger
	prod, err := sarama.NewAsyncProducer(b.brokers, pcfg)
	if err != nil {
		return l, err
	}
	defer prod.Close()
	send := func(id int64) {
		prod.Input() <- &sarama.ProducerMessage{Topic: in, Key: sarama.StringEncoder(strconv.FormatInt(id, 10)), Value: sarama.ByteEncoder(payload(id, time.Now().UnixNano()))}
	}

	workerPID := 0
	if !floor {
		extra := []string{"--in", in}
		if b.f.profileDir != "" {
			_ = os.MkdirAll(b.f.profileDir, 0o755)
			file := strings.ReplaceAll(impl, "/", "-") // karafka/1ms
			extra = append(extra, "--cpuprofile", filepath.Join(b.f.profileDir, fmt.Sprintf("latency-%s-cpu.pprof", file)),
				"--memprofile", filepath.Join(b.f.profileDir, fmt.Sprintf("latency-%s-allocs.pprof", file)))
		}
		c, err := spawnSelf(b.workerArgs(impl, "g"+in, out, extra...)...)
		if err != nil {
			return l, err
		}
		defer c.stop(30 * time.Second)
		workerPID = c.pid()
	}
	cpuOf := func() (w, h, br float64) {
		if workerPID > 0 {
			w = procCPU(workerPID)
		}
		if b.broker != nil {
			br = procCPU(b.broker.pid())
		}
		return w, procCPU(os.Getpid()), br
	}
	var cpu0 [3]float64
	// Wait until the worker answers (group joined, partitions assigned).
	deadline := time.Now().Add(2 * time.Minute)
	for id := int64(-1); ; id-- {
		send(id)
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		ok := seenAny
		mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return l, fmt.Errorf("worker never answered")
		}
		bar.draw(label+": waiting for the worker", 0)
	}
	// Offered load: R msg/s, paced by elapsed time (1 ms ticks).
	start := time.Now()
	total := b.f.warmup + b.f.duration
	var id int64
	var sent int64
	tick := time.NewTicker(time.Millisecond)
	for now := range tick.C {
		el := now.Sub(start)
		if el >= total {
			break
		}
		if el >= b.f.warmup && measureFrom == 0 {
			cpu0[0], cpu0[1], cpu0[2] = cpuOf()
			mu.Lock()
			measureFrom = time.Now().UnixNano()
			mu.Unlock()
		}
		target := int64(el.Seconds() * float64(b.f.rate))
		for ; id < target; id++ {
			send(id)
			if measureFrom > 0 {
				sent++
			}
		}
		bar.draw(label, el.Seconds()/total.Seconds())
	}
	tick.Stop()
	if sent > 0 {
		w, h, br := cpuOf()
		per := func(a, b float64) float64 { return (a - b) * 1e6 / float64(sent) }
		l.WorkerCPUus, l.HarnessCPUus, l.BrokerCPUus = per(w, cpu0[0]), per(h, cpu0[1]), per(br, cpu0[2])
	}
	// Let the tail arrive.
	for wait := time.Now(); time.Since(wait) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		r := received
		mu.Unlock()
		if r >= sent {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	l.Sent, l.Received = sent, received
	if len(lats) == 0 {
		return l, fmt.Errorf("no measured response")
	}
	l.P50ms, l.P99ms, l.P999ms, l.MaxMs = quantile(lats, 0.50), quantile(lats, 0.99), quantile(lats, 0.999), quantile(lats, 1)
	if len(ins) > 0 {
		l.InP50ms, l.InP99ms = quantile(ins, 0.50), quantile(ins, 0.99)
		l.OutP50ms, l.OutP99ms = quantile(outs, 0.50), quantile(outs, 0.99)
	}
	return l, nil
}

// quantile sorts v and returns its p-quantile in milliseconds.
func quantile(v []int64, p float64) float64 {
	slices.Sort(v)
	return float64(v[min(len(v)-1, int(p*float64(len(v))))]) / 1e6
}

// ---- memory ----

type Memory struct {
	Impl      string           `json:"impl"`
	Backlog   int64            `json:"backlog"`
	DrainS    float64          `json:"drain_s"`
	PeakRSS   int64            `json:"peak_rss_bytes"`
	SteadyRSS int64            `json:"steady_rss_bytes"` // median of samples from 20% to 100% drained
	RSSAt     map[string]int64 `json:"rss_at_progress"`  // "10%": bytes …
	GrowthRSS int64            `json:"growth_20_to_100_bytes"`
	Samples   [][2]float64     `json:"samples"` // [progress, MiB]
	Verify    verifyResult     `json:"verify"`
	Err       string           `json:"error,omitempty"`
}

func (b *bench) memory() error {
	for _, impl := range strings.Split(b.f.memImpls, ",") {
		m, err := b.memoryRun(impl)
		if err != nil {
			m.Err = err.Error()
			fmt.Fprintf(os.Stderr, "\nmemory %s: %v\n", impl, err)
		}
		b.res.Memory = append(b.res.Memory, m)
	}
	return nil
}

func (b *bench) memoryRun(impl string) (Memory, error) {
	m := Memory{Impl: impl, Backlog: b.f.backlog, RSSAt: map[string]int64{}}
	label := "memory " + impl
	in, out := b.name("min"), b.name("mout")
	if err := createTopics(context.Background(), b.brokers, int32(b.f.partitions), in, out); err != nil {
		return m, err
	}
	w, err := b.wire(impl)
	if err != nil {
		return m, err
	}
	if _, err := prefillWire(b.brokers, in, w, 0, b.f.backlog, func(d int64) {
		bar.draw(label+": pre-filling", 0.3*float64(d)/float64(b.f.backlog))
	}); err != nil {
		return m, err
	}
	wm, err := newWatermark(b.brokers, out)
	if err != nil {
		return m, err
	}
	defer wm.Close()
	c, err := spawnSelf(b.workerArgs(impl, "g"+in, out, "--in", in)...)
	if err != nil {
		return m, err
	}
	marks := []float64{0.1, 0.25, 0.5, 0.75, 1}
	var steady []int64
	deadline := time.Now().Add(b.f.trialTimeout)
	for {
		time.Sleep(100 * time.Millisecond)
		s, err := wm.sum()
		if err != nil {
			c.stop(30 * time.Second)
			return m, err
		}
		rss := procRSS(c.pid())
		frac := float64(s) / float64(b.f.backlog)
		m.PeakRSS = max(m.PeakRSS, rss)
		m.Samples = append(m.Samples, [2]float64{frac, float64(rss) / (1 << 20)})
		if frac >= 0.2 {
			steady = append(steady, rss)
		}
		for len(marks) > 0 && frac >= marks[0] {
			m.RSSAt[fmt.Sprintf("%.0f%%", marks[0]*100)] = rss
			marks = marks[1:]
		}
		bar.draw(label, 0.3+0.7*frac)
		if s >= b.f.backlog {
			m.DrainS = time.Since(c.start).Seconds()
			break
		}
		if time.Now().After(deadline) {
			c.stop(30 * time.Second)
			return m, fmt.Errorf("timed out with %d/%d", s, b.f.backlog)
		}
	}
	_, maxRSS, _ := c.stop(30 * time.Second)
	m.PeakRSS = max(m.PeakRSS, maxRSS)
	if len(steady) > 0 {
		sort.Slice(steady, func(i, j int) bool { return steady[i] < steady[j] })
		m.SteadyRSS = steady[len(steady)/2]
	}
	// Growth: last sample minus the first sample at ≥ 20%.
	var first20, last int64
	for _, s := range m.Samples {
		if s[0] >= 0.2 && first20 == 0 {
			first20 = int64(s[1] * (1 << 20))
		}
		last = int64(s[1] * (1 << 20))
	}
	m.GrowthRSS = last - first20
	if len(m.Samples) > 200 { // keep the JSON small
		step := len(m.Samples) / 200
		var kept [][2]float64
		for i := 0; i < len(m.Samples); i += step {
			kept = append(kept, m.Samples[i])
		}
		m.Samples = kept
	}
	v, err := verifyWire(b.brokers, out, w, b.f.backlog)
	m.Verify = v
	return m, err
}

// ---- scale ----

type Scale struct {
	Impl         string  `json:"impl,omitempty"` // karafka | karafka-franz ("": karafka, before the flag)
	Routes       int     `json:"routes"`
	Layout       string  `json:"layout"` // "group per topic" | "shared group"
	Partitions   int     `json:"partitions"`
	AssignedS    float64 `json:"all_assigned_s"` // spawn → every partition assigned (runtime events)
	AnsweredS    float64 `json:"all_answered_s"` // spawn → one response per route on "out"
	RSS          int64   `json:"rss_bytes"`      // when every route answered
	Goroutines   int     `json:"goroutines"`     // when every route answered
	ClientCPUSec float64 `json:"client_cpu_s"`   // until every route answered
	Err          string  `json:"error,omitempty"`
}

func (b *bench) scale() error {
	var counts []int
	for _, s := range strings.Split(b.f.routes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		counts = append(counts, n)
	}
	for _, impl := range strings.Split(b.f.scaleImpls, ",") {
		if !strings.HasPrefix(impl, "karafka") {
			return fmt.Errorf("scale: impl %q: only the runtime (karafka, karafka-franz) has routes", impl)
		}
		if err := jsonOnly("scale", impl); err != nil {
			return err
		}
		for _, n := range counts {
			for _, shared := range []bool{false, true} {
				s, err := b.scaleRun(impl, n, shared)
				if err != nil {
					s.Err = err.Error()
					fmt.Fprintf(os.Stderr, "\nscale %s %d %s: %v\n", impl, n, s.Layout, err)
				}
				b.res.Scale = append(b.res.Scale, s)
			}
		}
	}
	return nil
}

func (b *bench) scaleRun(impl string, n int, shared bool) (Scale, error) {
	s := Scale{Impl: impl, Routes: n, Layout: "group per topic", Partitions: b.f.scaleParts}
	if shared {
		s.Layout = "shared group"
	}
	label := fmt.Sprintf("scale %s %d routes, %s", impl, n, s.Layout)
	prefix := b.name("sc") + "_"
	out := prefix + "out"
	topics := make([]string, n)
	for i := range topics {
		topics[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	bar.draw(label+": creating topics", 0)
	if err := createTopics(context.Background(), b.brokers, int32(b.f.scaleParts), topics...); err != nil {
		return s, err
	}
	if err := createTopics(context.Background(), b.brokers, 4, out); err != nil {
		return s, err
	}
	// One message per route topic.
	pcfg := baseSarama(b.brokers)
	pcfg.Producer.Return.Successes = true
	prod, err := sarama.NewSyncProducer(b.brokers, pcfg)
	if err != nil {
		return s, err
	}
	var msgs []*sarama.ProducerMessage
	for i, t := range topics {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: t, Value: sarama.ByteEncoder(payload(int64(i), 0))})
	}
	err = prod.SendMessages(msgs)
	prod.Close()
	if err != nil {
		return s, err
	}
	wm, err := newWatermark(b.brokers, out)
	if err != nil {
		return s, err
	}
	defer wm.Close()
	args := b.workerArgs(impl, "g"+prefix, out, "--in-prefix", prefix, "--in-count", strconv.Itoa(n), "--status")
	if shared {
		args = append(args, "--shared")
	}
	if b.f.profileDir != "" {
		_ = os.MkdirAll(b.f.profileDir, 0o755)
		file := fmt.Sprintf("scale-%s-%d-%s", impl, n, map[bool]string{false: "groups", true: "shared"}[shared])
		args = append(args, "--cpuprofile", filepath.Join(b.f.profileDir, file+"-cpu.pprof"),
			"--memprofile", filepath.Join(b.f.profileDir, file+"-allocs.pprof"))
	}
	c, err := spawnSelf(args...)
	if err != nil {
		return s, err
	}
	defer c.stop(60 * time.Second)
	want := float64(n * b.f.scaleParts)
	deadline := time.Now().Add(b.f.scaleTimeout)
	for {
		time.Sleep(20 * time.Millisecond)
		if a, ok := c.statusNum("assigned"); ok && a >= want && s.AssignedS == 0 {
			s.AssignedS = time.Since(c.start).Seconds()
		}
		got, err := wm.sum()
		if err != nil {
			return s, err
		}
		a, _ := c.statusNum("assigned")
		bar.draw(fmt.Sprintf("%s: %0.f/%0.f assigned, %d/%d answered", label, a, want, got, n), float64(got)/float64(n))
		if got >= int64(n) && s.AnsweredS == 0 {
			s.AnsweredS = time.Since(c.start).Seconds()
			s.RSS = procRSS(c.pid())
			s.ClientCPUSec = procCPU(c.pid())
			time.Sleep(300 * time.Millisecond) // one more status line
			g, _ := c.statusNum("goroutines")
			s.Goroutines = int(g)
		}
		if s.AnsweredS > 0 && s.AssignedS > 0 {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.RSS = procRSS(c.pid())
			g, _ := c.statusNum("goroutines")
			s.Goroutines = int(g)
			return s, fmt.Errorf("timed out after %v: %0.f/%0.f partitions assigned, %d/%d routes answered", b.f.scaleTimeout, a, want, got, n)
		}
	}
}

var _ = runtime.NumCPU
