// Command karafka-bench measures karafka-actors against a plain sarama loop,
// a plain franz-go loop, goka and watermill on the same broker (see
// docs/benchmarks.md).
//
//	karafka-bench throughput [-n 200000] [-rounds 5] [-impls karafka,sarama,franz,goka,watermill]
//	karafka-bench latency    [-rate 10000] [-duration 10s] [-latency-impls karafka,sarama,franz]
//	karafka-bench memory     [-backlog 200000]
//	karafka-bench scale      [-routes 1,10,100,1000] [-scale-impls karafka,karafka-franz]
//	karafka-bench all        (every mode, one broker)
//	karafka-bench chart      [-out dir] results.json... (SVG bar charts of throughput and latency)
//
// Every implementation runs as a child process of this program (worker
// subcommand), so its CPU and RSS are its own. The broker is a child process
// too (broker subcommand: the embedded kfake broker, as `karafka-actors
// broker`), unless -brokers points at a running Kafka or -inproc-broker is set.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/karafka-actors/karafka-actors/embedded"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: karafka-bench throughput|latency|memory|scale|all|chart|broker|worker [flags]")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "broker":
		err = brokerMain(args)
	case "chart":
		err = chartMain(args)
	case "worker":
		err = workerMain(args)
	case "throughput", "latency", "memory", "scale", "all":
		err = benchMain(cmd, args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "karafka-bench:", err)
		os.Exit(1)
	}
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
}

func brokerMain(args []string) error {
	fs := flag.NewFlagSet("broker", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	_ = fs.Parse(args)
	b, err := embedded.Start(embedded.Addr(*listen))
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Println("broker listening on", strings.Join(b.Addrs(), ","))
	ctx, cancel := signalContext()
	defer cancel()
	<-ctx.Done()
	return nil
}

func workerMain(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	var s workerSpec
	impl := fs.String("impl", "karafka", "karafka|karafka-batch|karafka-avro|karafka-protobuf|karafka-jsonschema|sarama|franz|goka|watermill, optionally /<producer linger> (karafka, sarama and franz), e.g. karafka/1ms; /0s is no linger at all")
	brokers := fs.String("brokers", "", "bootstrap brokers")
	in := fs.String("in", "", "input topics, comma separated")
	inPrefix := fs.String("in-prefix", "", "input topics <prefix><i>, i < in-count")
	inCount := fs.Int("in-count", 0, "number of input topics with in-prefix")
	fs.StringVar(&s.Out, "out", "", "output topic")
	fs.StringVar(&s.Group, "group", "bench", "consumer group / app name")
	fs.BoolVar(&s.Shared, "shared", false, "karafka: one shared consumer group for every route")
	fs.BoolVar(&s.Status, "status", false, "print status lines")
	fs.StringVar(&s.Registry, "registry", "", "schema implementations (karafka-avro, karafka-protobuf, karafka-jsonschema): the schema registry's URL")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile")
	memProfile := fs.String("memprofile", "", "write an allocation profile")
	_ = fs.Parse(args)
	s.Impl, s.Brokers = *impl, strings.Split(*brokers, ",")
	if *in != "" {
		s.In = strings.Split(*in, ",")
	}
	for i := range *inCount {
		s.In = append(s.In, fmt.Sprintf("%s%d", *inPrefix, i))
	}
	// "karafka/1ms" is karafka with a 1 ms producer linger, "karafka/0s" with
	// none (flushOverride): variants of one implementation can then run side
	// by side in one benchmark.
	name, linger, variant := strings.Cut(s.Impl, "/")
	if variant {
		if _, err := time.ParseDuration(linger); err != nil {
			return fmt.Errorf("impl %q: the part after / must be a producer linger (a Go duration): %w", s.Impl, err)
		}
		_ = os.Setenv("KB_FLUSH_FREQUENCY", linger)
	}
	run, ok := impls[name]
	if !ok {
		return fmt.Errorf("unknown impl %q", s.Impl)
	}
	s.format = schemaImpls[name]
	if s.format != 0 && s.Registry == "" {
		return fmt.Errorf("impl %q needs --registry", s.Impl)
	}
	ctx, cancel := signalContext()
	defer cancel()
	if s.Status {
		go func() {
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					statusLine(map[string]any{"goroutines": runtime.NumGoroutine()})
				}
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	err := run(ctx, s)
	if *cpuProfile != "" {
		// After run, not on ctx.Done from a goroutine: main could return
		// (and the process exit) before that goroutine wrote the profile.
		pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		f, ferr := os.Create(*memProfile)
		if ferr == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if ctx.Err() != nil && err != nil {
		fmt.Fprintln(os.Stderr, "worker", s.Impl, "after stop:", err)
		return nil
	}
	return err
}
