package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/embedded"
	"github.com/karafka-actors/karafka-actors/producer"
)

func (r *runner) brokerCmd() *cobra.Command {
	var listen, advertise, dataDir, registry string
	var partitions int32
	var topics []string
	cmd := &cobra.Command{
		Use:   "broker",
		Short: "Run the embedded Kafka-protocol broker alone, in the foreground (local development)",
		Long: `Run the in-process Kafka-protocol broker (kfake) on a loopback address until
SIGTERM or SIGINT. It is for development only: it has no authentication and no
TLS (any local user can read, write and delete its topics), which is why it
listens on loopback addresses only. Its data lives in memory and is gone when it stops, unless
--data-dir keeps it (topics, records, committed offsets) for the next start on
that dir. --advertise makes clients connect to another address than --listen
(a proxy in front of the broker). Point kafka.brokers (or --brokers) of other
commands at it.

--registry[=ADDR] also serves an in-memory schema registry (Confluent's REST API,
Avro compatibility checked) on ADDR, a loopback address (default 127.0.0.1:8081);
point schema_registry.urls at the URL it prints. Its schemas live in memory only,
even with --data-dir: records kept there name schema ids the next registry does
not have.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			logger := newLogger(s, cmd.ErrOrStderr())
			opts := []embedded.Option{embedded.Addr(listen), embedded.Logger(logger)}
			if advertise != "" {
				opts = append(opts, embedded.Advertise(advertise))
			}
			if dataDir != "" {
				opts = append(opts, embedded.DataDir(dataDir))
			}
			if len(topics) > 0 {
				opts = append(opts, embedded.Topics(partitions, topics...))
			}
			b, err := embedded.Start(opts...)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			defer b.Close()
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
			defer signal.Stop(sigs)
			fmt.Fprintf(cmd.OutOrStdout(), "broker listening on %s\n", joinOr(b.Addrs(), listen))
			if advertise != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "broker advertising %s\n", joinOr(b.Advertised(), advertise))
			}
			if cmd.Flags().Changed("registry") {
				reg, err := embedded.StartRegistry(registry)
				if err != nil {
					return Exit(ExitFailure, err)
				}
				defer reg.Close()
				fmt.Fprintf(cmd.OutOrStdout(), "schema registry listening on %s\n", reg.URL())
			}
			<-sigs
			logger.Info("broker stopping")
			return nil
		},
	}
	cmd.Flags().StringVarP(&listen, "listen", "l", embedded.DefaultAddr, "loopback host:port to listen on (port 0: a free one)")
	cmd.Flags().StringVar(&advertise, "advertise", "", "loopback host:port clients are told to connect to (default: the --listen address)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "keep topics, records and committed offsets in DIR across restarts (default: in memory)")
	cmd.Flags().StringSliceVar(&topics, "topics", nil, "topics to create at start")
	cmd.Flags().Int32Var(&partitions, "partitions", 1, "partitions of --topics")
	cmd.Flags().StringVar(&registry, "registry", "", "also serve an in-memory schema registry on loopback ADDR (default "+embedded.DefaultRegistryAddr+"; port 0: a free one)")
	cmd.Flags().Lookup("registry").NoOptDefVal = embedded.DefaultRegistryAddr
	return cmd
}

// produceFlags are produce's options for what each line becomes.
type produceFlags struct {
	key, keySeparator, nullValue string
	headers                      []string
	partition                    int32
	tombstone                    bool
}

// lineParser turns one stdin line into a message, or says why it cannot.
type lineParser func(line []byte) (*producer.Message, error)

// parser checks the flags together and returns what turns a line into a
// message of topic; set says which flags were given.
func (f produceFlags) parser(topic string, set func(string) bool) (lineParser, error) {
	var headers []producer.Header
	for _, h := range f.headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--header %q: want KEY=VALUE (a non-empty key, then =, then the value)", h)
		}
		headers = append(headers, producer.Header{Key: k, Value: []byte(v)})
	}
	if set("partition") && f.partition < 0 {
		return nil, fmt.Errorf("--partition %d: want a partition number, 0 or more", f.partition)
	}
	if set("key-separator") && f.keySeparator == "" {
		return nil, errors.New("--key-separator is empty: give the string between key and value, e.g. --key-separator $'\\t'")
	}
	if set("key") && set("key-separator") {
		return nil, errors.New("--key and --key-separator both set the key: use one (--key for every message, --key-separator for a key per line)")
	}
	if f.tombstone && set("null-value") {
		return nil, errors.New("--tombstone and --null-value both make null values: use one (--tombstone: every line is a key; --null-value: values equal to the marker)")
	}
	if set("null-value") && f.nullValue == "" {
		return nil, errors.New("--null-value is empty: give the marker a value must equal to be sent as null, e.g. --null-value NULL")
	}
	if f.tombstone && set("key") {
		return nil, errors.New("--tombstone reads a key per line: --key would give every tombstone the same key")
	}
	if f.tombstone && set("key-separator") {
		return nil, errors.New("--tombstone reads a whole line as the key (a tombstone has no value): drop --key-separator")
	}
	return func(line []byte) (*producer.Message, error) {
		m := &producer.Message{Topic: topic, Headers: headers, Partition: f.partition, ExplicitPartition: set("partition")}
		switch {
		case f.tombstone:
			m.Key = append([]byte{}, line...)
			return m, nil
		case f.keySeparator != "":
			k, v, ok := bytes.Cut(line, []byte(f.keySeparator))
			if !ok {
				return nil, fmt.Errorf("no key separator %q (with --key-separator each line is KEY%sVALUE)", f.keySeparator, f.keySeparator)
			}
			m.Key, m.Value = append([]byte{}, k...), append([]byte{}, v...)
		default:
			m.Value = append([]byte{}, line...)
			if f.key != "" {
				m.Key = []byte(f.key)
			}
		}
		if set("null-value") && string(m.Value) == f.nullValue {
			m.Value = nil
		}
		return m, nil
	}, nil
}

func (r *runner) produceCmd() *cobra.Command {
	var pf produceFlags
	var sf produceSchemaFlags
	cmd := &cobra.Command{
		Use:   "produce TOPIC",
		Short: "Produce one message per stdin line to TOPIC",
		Long: `Produce one message per line of standard input to TOPIC (to kafka.brokers),
waiting until the broker acknowledged every one. Empty lines are skipped.

A line is the message's value; --key gives every message the same key, and
--key-separator SEP a key per line: the line up to the first SEP is the key,
the rest the value (a line without SEP is an error). --header KEY=VALUE adds a
header to every message (repeat it for more; order and repeated keys are
kept). --partition N sends every message to partition N instead of the one
its key hashes to. A null value (a tombstone, which deletes its key from a
compacted topic): --tombstone makes every line a key with a null value, and
--null-value MARKER sends a value equal to MARKER as null.

  printf 'u1\t{"name":"Ada"}\nu2\tNULL\n' | karafka-actors produce users_create \
    --key-separator $'\t' --null-value NULL --header source=import

With --schema FILE every value is a JSON document, sent encoded with that
schema in the schema registry's wire format (the registry of
schema_registry.urls, or --registry URL): the schema is compiled, then
registered under --subject (default <topic>-value), or found there when an
identical version is. Its type is --type avro|protobuf|jsonschema; without
--type, FILE's extension tells it: .avsc avro, .proto protobuf, .json
jsonschema (.json means JSON Schema unless --type avro is given; another
extension needs --type). --subject alone encodes with the subject's latest
version. A --null-value value is sent as null, not encoded.

  echo '{"id":1,"email":null}' | karafka-actors produce users --schema user.avsc

On a line that cannot be read (no separator, a value that does not fit the
schema) nothing of it or after it is sent: the error names the line, why,
and how many messages before it were produced.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			parse, err := pf.parser(args[0], cmd.Flags().Changed)
			if err == nil {
				err = sf.check(pf, cmd.Flags().Changed)
			}
			if err != nil {
				return Exit(ExitUsage, err)
			}
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			encoded := ""
			if sf.enabled() {
				sch, err := sf.schema(cmd, r, s, args[0])
				if err != nil {
					return err
				}
				parse = encodeLines(parse, sch)
				encoded = fmt.Sprintf(", values encoded with schema id %d (subject %s version %d)", sch.ID, escapeField([]byte(sch.Subject)), sch.Version)
			}
			pc := s.Producer
			pc.Kafka = s.AppConfig().Kafka
			logger := newLogger(s, cmd.ErrOrStderr())
			warnKafka(logger, pc.Kafka)
			p, err := producer.New(pc, producer.WithLogger(logger))
			if err != nil {
				return Exit(ExitFailure, err)
			}
			var wg sync.WaitGroup
			var failed atomic.Int64
			var firstErr atomic.Value
			n, lineNo := 0, 0
			var lineErr error
			sc := bufio.NewScanner(cmd.InOrStdin())
			sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
			for sc.Scan() {
				lineNo++
				line := sc.Bytes()
				if len(line) == 0 {
					continue
				}
				m, err := parse(line)
				if err != nil {
					lineErr = fmt.Errorf("stdin line %d: %w", lineNo, err)
					break
				}
				wg.Add(1)
				n++
				p.SendAsync(m, func(res producer.Result) {
					if res.Err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, res.Err)
					}
					wg.Done()
				})
			}
			wg.Wait()
			closeErr := p.Close()
			if lineErr != nil {
				return Exit(ExitFailure, fmt.Errorf("%w; nothing after it was sent, %d of the %d message(s) before it were produced",
					lineErr, n-int(failed.Load()), n))
			}
			if err := sc.Err(); err != nil {
				return Exit(ExitFailure, fmt.Errorf("reading stdin: %w", err))
			}
			if f := failed.Load(); f > 0 {
				err, _ := firstErr.Load().(error)
				if errors.Is(err, producer.ErrInvalidPartition) || cmd.Flags().Changed("partition") && errors.Is(err, client.ErrUnknownTopicOrPartition) {
					err = fmt.Errorf("--partition %d: topic %s has no such partition", pf.partition, args[0])
				}
				return Exit(ExitFailure, fmt.Errorf("%d of %d messages not produced: %v", f, n, err))
			}
			if closeErr != nil {
				return Exit(ExitFailure, closeErr)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "produced %d message(s) to %s%s\n", n, args[0], encoded)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&pf.key, "key", "k", "", "`KEY` of every message")
	f.StringVar(&pf.keySeparator, "key-separator", "", "split each line at the first `SEP` into key and value")
	f.StringArrayVarP(&pf.headers, "header", "H", nil, "header `KEY=VALUE` of every message (repeatable)")
	f.Int32VarP(&pf.partition, "partition", "p", 0, "send every message to partition `N` (default: by key hash)")
	f.BoolVar(&pf.tombstone, "tombstone", false, "every line is a key, sent with a null value (a tombstone)")
	f.StringVar(&pf.nullValue, "null-value", "", "send a value equal to `MARKER` as null (a tombstone)")
	sf.add(f)
	r.registryFlag(f)
	return cmd
}

func (r *runner) consumeCmd() *cobra.Command {
	var fromBeginning, withKey, withHeaders, raw, withSchema bool
	var group, isolation string
	var count int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "consume TOPIC",
		Short: "Print messages of TOPIC, one value per line",
		Long: `Print the messages of TOPIC (from kafka.brokers), one value per line, until
--count messages were printed, --timeout passed, or SIGINT/SIGTERM.
--print-key prefixes the key and a tab; --headers prefixes the record's headers
as one JSON object and a tab, in their order (e.g. a dead letter's
{"karafka.origin.topic":"users_create",...,"karafka.error":"..."}).
Without --group every partition is read directly (no offsets committed);
with --group the consumer joins that group and commits what it printed.
--isolation read_committed prints only records of committed transactions
(what a reader of an exactly_once route should see); the default,
read_uncommitted, prints aborted ones too.

A key or value is printed as it is when it is UTF-8 of printable characters
and does not start with a double quote. Any other is printed quoted by Go's
rules (strconv.Quote): control characters (ESC, tab, newline, DEL, C1),
invisible format characters (bidirectional overrides) and bytes that are not
UTF-8 become escapes such as "\x1b[31m", "a\tb\n", "\u202e" or "\xff", so
that nothing in a record acts on the terminal and every record is one line.
A printed field starting with a double quote reads back with strconv.Unquote;
any other is the record's bytes. In the headers JSON such characters are \u
escapes. --raw prints keys, values and headers as they are, escape sequences
included.

--schema decodes each value from the schema registry's wire format with the
schema its id names (asked of schema_registry.urls, or --registry URL) and
prints it as JSON (bytes in base64; \u escapes as above unless --raw). A value
that is not in the wire format, names an id the registry lacks or does not
fit its schema is printed as without --schema after the marker "!undecoded ",
with the reason on stderr, and consume goes on; a registry that cannot be
reached stops it (exit 1).

Exit status: 0; 1 when --timeout passed before --count messages, or the
registry of --schema cannot be reached; 2 for usage or configuration errors
(--schema without schema_registry.urls).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if withSchema && len(args) == 2 {
				return fmt.Errorf("accepts 1 arg(s), received 2: --schema takes no file (%s): each value is decoded with the schema its id names", args[1])
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			kc := s.AppConfig().Kafka
			if err := kc.Validate(); err != nil {
				return Exit(ExitUsage, err)
			}
			var dec *valueDecoder
			if withSchema {
				reg, err := r.registryOf(cmd, s, "consume --schema")
				if err != nil {
					return err
				}
				dec = &valueDecoder{reg: reg, s: s, raw: raw, warn: cmd.ErrOrStderr()}
			}
			warnKafka(newLogger(s, cmd.ErrOrStderr()), s.Kafka)
			rc := readConfig{Kafka: kc, Topic: args[0], Group: group, FromBeginning: fromBeginning}
			switch isolation {
			case "read_uncommitted":
			case "read_committed":
				rc.ReadCommitted = true
			default:
				return Exit(ExitUsage, fmt.Errorf("--isolation %q (allowed: read_uncommitted, read_committed)", isolation))
			}
			sctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			ctx, cancel := context.WithCancel(sctx) // ended early by a count or timeout, signals still caught
			defer cancel()
			timedOut := false
			if timeout > 0 {
				t := time.AfterFunc(timeout, func() { timedOut = true; cancel() })
				defer t.Stop()
			}
			field := escapeField
			if raw {
				field = func(b []byte) string { return string(b) }
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			var mu sync.Mutex
			printed := 0
			print := func(m *client.Record) bool {
				mu.Lock()
				defer mu.Unlock()
				if count > 0 && printed >= count {
					return false
				}
				value := field(m.Value)
				if dec != nil {
					v, ok := dec.value(ctx, m, field)
					if !ok {
						cancel()
						return false
					}
					value = v
				}
				if withKey {
					out.WriteString(field(m.Key))
					out.WriteByte('\t')
				}
				if withHeaders {
					out.Write(headersJSON(m.Headers, raw))
					out.WriteByte('\t')
				}
				out.WriteString(value)
				out.WriteByte('\n')
				out.Flush()
				printed++
				if count > 0 && printed >= count {
					cancel()
				}
				return true
			}
			err = consumeTopic(ctx, rc, print)
			if dec != nil {
				mu.Lock()
				failed := dec.failed
				mu.Unlock()
				if failed != nil {
					return failed
				}
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				return Exit(ExitFailure, err)
			}
			if timedOut && count > 0 && printed < count {
				return Exit(ExitFailure, fmt.Errorf("timeout after %v: %d of %d messages", timeout, printed, count))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fromBeginning, "from-beginning", false, "start at the oldest message (default: only new ones)")
	f.StringVarP(&group, "group", "g", "", "consume as this consumer group (commits offsets)")
	f.IntVarP(&count, "count", "n", 0, "stop after N messages (0: no limit)")
	f.DurationVar(&timeout, "timeout", 0, "stop after this long (0: no limit)")
	f.BoolVar(&withKey, "print-key", false, "print key<TAB>value")
	f.StringVar(&isolation, "isolation", "read_uncommitted", "read_uncommitted, or read_committed: only records of committed transactions")
	f.BoolVar(&withHeaders, "headers", false, "print the headers as a JSON object<TAB>value (after the key with --print-key)")
	f.BoolVar(&raw, "raw", false, "print keys, values and headers as they are, control characters (terminal escape sequences) included")
	f.BoolVar(&withSchema, "schema", false, "decode each value from the schema registry's wire format with the schema its id names, and print it as JSON")
	r.registryFlag(f)
	return cmd
}

// headersJSON renders record headers as one JSON object with string values,
// in the record's order; a repeated key is kept repeated rather than merged.
// Unless raw, every character that is not printable is a \u escape (see
// appendJSONString); raw is encoding/json's output, which lets DEL, C1
// controls and bidirectional overrides through.
func headersJSON(hs []client.Header, raw bool) []byte {
	b := []byte{'{'}
	for _, h := range hs {
		if len(b) > 1 {
			b = append(b, ',')
		}
		if !raw {
			b = append(appendJSONString(b, []byte(h.Key)), ':')
			b = appendJSONString(b, h.Value)
			continue
		}
		k, _ := json.Marshal(h.Key)
		v, _ := json.Marshal(string(h.Value))
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}')
}

// consumeTopic checks that rc's topic exists, through an admin of the
// client library kafka.client names (so that a missing topic is the same
// error whatever the library), then reads it (see readFunc).
func consumeTopic(ctx context.Context, rc readConfig, print func(*client.Record) bool) error {
	admin, err := clients.NewAdmin(ctx, rc.Kafka)
	if err != nil {
		return err
	}
	_, err = admin.ListTopics(ctx, rc.Topic)
	admin.Close()
	if err != nil {
		return err
	}
	return readTopic(ctx, rc, print)
}
