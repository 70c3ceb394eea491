package cli

import (
	"time"

	"github.com/karafka-actors/karafka-actors/internal/bounds"
	"github.com/karafka-actors/karafka-actors/kafka"
)

//go:generate go test -run ^TestConfig(YAML|Reference)_ -update .

// schema declares every configuration key: its name, doc, field (whose type
// says how values are read, config_types.go), allowed values and bounds.
// configs/karafka.yaml and docs/configuration.md are generated from it, in
// its order (go generate ./cli), and Load reads, checks and reports keys by
// it. A key's default is its field's value in karafka.DefaultConfig (or
// DefaultSettings for the CLI's own keys), next to the code that uses it.
//
// Every number and duration declares its upper bound (max, of the key's
// type), from package bounds, which the library's Validate enforces too:
// Load refuses a value above it naming the key, the bound and the value's
// source.
var schema = []key{
	{name: "name", doc: "application name: Kafka client id (unless kafka.client_id) and prefix of default consumer groups (<name>_<topic>)", ref: func(s *Settings) any { return &s.Name }},
	{name: "consumer_group", doc: "one consumer group shared by every route without its own (empty: <name>_<topic> per route)", ref: func(s *Settings) any { return &s.ConsumerGroup },
		more: ": the routes share one membership and one Kafka client (use it for many routes per process)"},
	{name: "start_from_beginning", doc: "new consumer groups read from the oldest message (false: only new messages)", ref: func(s *Settings) any { return &s.StartFromBeginning }},
	{name: "shutdown_timeout", doc: "bound on draining in-flight messages at shutdown", ref: func(s *Settings) any { return &s.ShutdownTimeout }, max: bounds.Duration},

	{name: "kafka.brokers", doc: "bootstrap brokers, host:port (env: comma-separated)", ref: func(s *Settings) any { return &s.Kafka.Brokers }},
	{name: "kafka.client", doc: "Kafka client library the app and the commands run on: sarama (IBM/sarama) or franz (twmb/franz-go); the same features, offsets and key-to-partition mapping on both", ref: func(s *Settings) any { return &s.Kafka.Client },
		enum: []string{kafka.ClientSarama, kafka.ClientFranz}, more: "; see [Choosing a Kafka client](clients.md)"},
	{name: "kafka.version", doc: "Kafka protocol version to speak (>= 0.11.0; sarama only: franz negotiates it with the brokers)", ref: func(s *Settings) any { return &s.Kafka.Version }},
	{name: "kafka.client_id", doc: "client id sent to brokers; empty: the app name", ref: func(s *Settings) any { return &s.Kafka.ClientID }},
	{name: "kafka.dial_timeout", doc: "timeout connecting to one broker", ref: func(s *Settings) any { return &s.Kafka.DialTimeout }, max: bounds.Duration},
	{name: "kafka.read_timeout", doc: "timeout waiting for one answer from a broker (group joins wait consumer.rebalance_timeout + 5s)", ref: func(s *Settings) any { return &s.Kafka.ReadTimeout }, max: bounds.Duration},
	{name: "kafka.create_topics", doc: "the app creates its missing topics before it consumes (always done with --embedded-broker; see the topics command)", ref: func(s *Settings) any { return &s.Topics.Create },
		more: "; see [Topics](topics.md)"},
	{name: "kafka.topic_partitions", doc: "partitions of a topic whose route declares none", ref: func(s *Settings) any { return &s.Topics.Partitions }, max: bounds.Partitions},
	{name: "kafka.topic_replication_factor", doc: "replication factor of a new topic whose route declares none; 0: min(3, brokers)", ref: func(s *Settings) any { return &s.Topics.ReplicationFactor }, max: bounds.ReplicationFactor},
	{name: "kafka.topic_configs", doc: "topic configs every topic gets unless its route says otherwise, key=value items (env: comma-separated)", ref: func(s *Settings) any { return &s.TopicConfigs }},
	{name: "kafka.tls.enabled", doc: "use TLS", ref: func(s *Settings) any { return &s.Kafka.TLS.Enabled }},
	{name: "kafka.tls.ca_file", doc: "PEM CA bundle (default: system pool)", ref: func(s *Settings) any { return &s.Kafka.TLS.CAFile }},
	{name: "kafka.tls.cert_file", doc: "PEM client certificate (mutual TLS, with key_file)", ref: func(s *Settings) any { return &s.Kafka.TLS.CertFile }},
	{name: "kafka.tls.key_file", doc: "PEM client key", ref: func(s *Settings) any { return &s.Kafka.TLS.KeyFile }},
	{name: "kafka.tls.insecure_skip_verify", doc: "do not verify the broker certificate", ref: func(s *Settings) any { return &s.Kafka.TLS.InsecureSkipVerify },
		more: " (every command that connects logs a warning at start)"},
	{name: "kafka.sasl.mechanism", doc: `"" (none), PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`, ref: func(s *Settings) any { return &s.Kafka.SASL.Mechanism },
		enum: []string{"", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"},
		more: " (PLAIN without `kafka.tls.enabled` sends the password in clear text: every command that connects logs a warning at start)"},
	{name: "kafka.sasl.username", doc: "SASL user", ref: func(s *Settings) any { return &s.Kafka.SASL.Username }},
	{name: "kafka.sasl.password", doc: "SASL password (prefer the env variable)", ref: func(s *Settings) any { return &s.Kafka.SASL.Password }, secret: true},

	{name: "consumer.session_timeout", doc: "consumer group session timeout (>= 1s)", ref: func(s *Settings) any { return &s.Consumer.SessionTimeout }, max: bounds.Duration},
	{name: "consumer.heartbeat_interval", doc: "consumer group heartbeat (>= 1ms, < session_timeout)", ref: func(s *Settings) any { return &s.Consumer.HeartbeatInterval }, max: bounds.Duration},
	{name: "consumer.rebalance_timeout", doc: "how long the group coordinator waits for members to rejoin a rebalance; joins wait this + 5s for their answer", ref: func(s *Settings) any { return &s.Consumer.RebalanceTimeout }, max: bounds.Duration},
	{name: "consumer.instance_id", doc: "static membership id (KIP-345), one stable id per process: a restart within session_timeout gets its partitions back at once; empty: dynamic", ref: func(s *Settings) any { return &s.Consumer.InstanceID },
		more: " (flag `--instance-id`; see [Crash recovery](delivery.md#crash-recovery))"},
	{name: "consumer.commit_interval", doc: "upper bound between commits; marked offsets are committed as soon as the previous commit returned", ref: func(s *Settings) any { return &s.Consumer.CommitInterval }, max: bounds.Duration},
	{name: "consumer.max_in_flight", doc: "accepted, unfinished messages per partition before it is paused", ref: func(s *Settings) any { return &s.Consumer.MaxInFlight }, max: bounds.MaxInFlight},
	{name: "consumer.batch_size", doc: "fetched messages handed to a partition actor at once", ref: func(s *Settings) any { return &s.Consumer.BatchSize }, max: bounds.BatchSize,
		more: "; also the bound of a batch controller's batches (see [Batch controllers](concepts.md#batch-controllers))"},
	{name: "consumer.fetch_max_wait", doc: "how long the broker may hold a fetch that finds nothing new; a partition resumed after max_in_flight waits for it when its neighbours are idle", ref: func(s *Settings) any { return &s.Consumer.FetchMaxWait }, max: bounds.FetchMaxWait,
		more: " (see [Performance](performance.md))"},
	{name: "consumer.max_record_bytes", doc: "a consumed record larger than this (key, value and headers, decompressed) is not processed: dead-lettered without its value, or it blocks its partition with dead_letter.enabled false; 0: no bound", ref: func(s *Settings) any { return &s.Consumer.MaxRecordBytes }, max: bounds.MaxRecordBytes,
		more: " (see [Bad input](reliability.md#bad-input))"},
	{name: "consumer.fetch_bytes", doc: "bytes of a partition a fetch asks for at first; a larger record makes the next fetch ask for twice as much, up to fetch_max_bytes", ref: func(s *Settings) any { return &s.Consumer.FetchBytes }, max: bounds.FetchBytes},
	{name: "consumer.fetch_max_bytes", doc: "cap on what a fetch asks for per partition (0: none but the 100 MiB a response may hold); a larger record cannot be consumed and its partition waits", ref: func(s *Settings) any { return &s.Consumer.FetchMaxBytes }, max: bounds.FetchBytes},
	{name: "consumer.drain_timeout", doc: "how long a revoked partition waits for its in-flight messages", ref: func(s *Settings) any { return &s.Consumer.DrainTimeout }, max: bounds.Duration},
	{name: "consumer.reconnect_backoff.initial", doc: "first wait before reconnecting to unreachable brokers", ref: func(s *Settings) any { return &s.Consumer.ReconnectBackoff.Initial }, max: bounds.Duration},
	{name: "consumer.reconnect_backoff.max", doc: "longest wait between reconnects", ref: func(s *Settings) any { return &s.Consumer.ReconnectBackoff.Max }, max: bounds.Duration},
	{name: "consumer.reconnect_backoff.multiplier", doc: "growth per attempt", ref: func(s *Settings) any { return &s.Consumer.ReconnectBackoff.Multiplier }, max: bounds.Multiplier},
	{name: "consumer.reconnect_backoff.jitter", doc: "random fraction added or removed (0-1)", ref: func(s *Settings) any { return &s.Consumer.ReconnectBackoff.Jitter }, max: 1.0},

	{name: "producer.acks", doc: "all, leader or none", ref: func(s *Settings) any { return &s.Producer.Acks }, enum: []string{"all", "leader", "none"}},
	{name: "producer.idempotent", doc: "idempotent producer (needs acks all)", ref: func(s *Settings) any { return &s.Producer.Idempotent }},
	{name: "producer.compression", doc: "none, gzip, snappy, lz4, zstd", ref: func(s *Settings) any { return &s.Producer.Compression }, enum: []string{"none", "gzip", "snappy", "lz4", "zstd"}},
	{name: "producer.flush_frequency", doc: "linger to fill a batch; 0: none, a record leaves as soon as its partition has no request in flight (batches still fill under a backlog); 5ms saves CPU at moderate rates for ~3.5 ms more latency", ref: func(s *Settings) any { return &s.Producer.FlushFrequency }, max: bounds.Duration,
		more: " (see [Performance](performance.md))"},
	{name: "producer.flush_messages", doc: "records that trigger a flush before flush_frequency is up; 0: none; > 0 requires flush_frequency > 0", ref: func(s *Settings) any { return &s.Producer.FlushMessages }, max: bounds.FlushMessages},
	{name: "producer.channel_buffer_size", doc: "records buffered on the way to the broker: sarama's input/result channel size; franz-go buffers 16 times it", ref: func(s *Settings) any { return &s.Producer.ChannelBufferSize }, max: bounds.ChannelBufferSize},
	{name: "producer.retry_max", doc: "retries of a failed produce request", ref: func(s *Settings) any { return &s.Producer.RetryMax }, max: bounds.RetryMax},
	{name: "producer.retry_backoff", doc: "pause between produce retries", ref: func(s *Settings) any { return &s.Producer.RetryBackoff }, max: bounds.Duration},
	{name: "producer.max_message_bytes", doc: "largest record sent; a larger response fails its message for good (dead-lettered), a larger dead letter is cut to fit; raise the brokers' message.max.bytes and the topic's max.message.bytes with it", ref: func(s *Settings) any { return &s.Producer.MaxMessageBytes }, max: bounds.MaxMessageBytes},

	{name: "supervision.strategy", doc: "root and default route strategy: " + strategyNames, ref: func(s *Settings) any { return &s.Supervision.Strategy }, enum: strategyEnum},
	{name: "supervision.max_restarts", doc: "restarts allowed within supervision.within before escalating", ref: func(s *Settings) any { return &s.Supervision.MaxRestarts }, max: bounds.MaxRestarts},
	{name: "supervision.within", doc: "window counting restarts", ref: func(s *Settings) any { return &s.Supervision.Within }, max: bounds.Duration},
	{name: "supervision.backoff.initial", doc: "first restart delay (exponential_backoff strategy only)", ref: func(s *Settings) any { return &s.Supervision.Backoff.Initial }, max: bounds.Duration},
	{name: "supervision.backoff.max", doc: "longest restart delay (exponential_backoff)", ref: func(s *Settings) any { return &s.Supervision.Backoff.Max }, max: bounds.Duration},
	{name: "supervision.backoff.multiplier", doc: "growth per restart", ref: func(s *Settings) any { return &s.Supervision.Backoff.Multiplier }, max: bounds.Multiplier},
	{name: "supervision.backoff.jitter", doc: "random fraction (0-1)", ref: func(s *Settings) any { return &s.Supervision.Backoff.Jitter }, max: 1.0},

	{name: "retry.attempts", doc: "tries of a failing message (first one included) before it is dead-lettered", ref: func(s *Settings) any { return &s.Retry.Attempts }, max: bounds.Attempts},
	{name: "retry.backoff.initial", doc: "first wait before trying again", ref: func(s *Settings) any { return &s.Retry.Backoff.Initial }, max: bounds.Duration},
	{name: "retry.backoff.max", doc: "longest wait between tries", ref: func(s *Settings) any { return &s.Retry.Backoff.Max }, max: bounds.Duration},
	{name: "retry.backoff.multiplier", doc: "growth per try", ref: func(s *Settings) any { return &s.Retry.Backoff.Multiplier }, max: bounds.Multiplier},
	{name: "retry.backoff.jitter", doc: "random fraction (0-1)", ref: func(s *Settings) any { return &s.Retry.Backoff.Jitter }, max: 1.0},

	{name: "produce_backoff.initial", doc: "first wait before sending a refused response again", ref: func(s *Settings) any { return &s.ProduceBackoff.Initial }, max: bounds.Duration},
	{name: "produce_backoff.max", doc: "longest wait", ref: func(s *Settings) any { return &s.ProduceBackoff.Max }, max: bounds.Duration},
	{name: "produce_backoff.multiplier", doc: "growth per attempt", ref: func(s *Settings) any { return &s.ProduceBackoff.Multiplier }, max: bounds.Multiplier},
	{name: "produce_backoff.jitter", doc: "random fraction (0-1)", ref: func(s *Settings) any { return &s.ProduceBackoff.Jitter }, max: 1.0},

	{name: "dead_letter.enabled", doc: "send exhausted messages to a dead letter topic (false: the partition blocks and keeps retrying)", ref: func(s *Settings) any { return &s.DeadLetter.Enabled }},
	{name: "dead_letter.pattern", doc: `dead letter topic of a route; %s is the route's topic`, ref: func(s *Settings) any { return &s.DeadLetter.Pattern }},

	{name: "processing.guarantee", doc: "at_least_once, or exactly_once: a message's responses, dead letter and offset in one Kafka transaction (needs kafka.version >= 2.5, producer.idempotent, producer.acks all; readers use read_committed)",
		ref: func(s *Settings) any { return (*string)(&s.Processing.Guarantee) }, enum: []string{"at_least_once", "exactly_once"},
		more: "; see [exactly-once.md](exactly-once.md)"},
	{name: "transaction.max_messages", doc: "exactly_once: finished messages after which the open transaction is committed", ref: func(s *Settings) any { return &s.Transaction.MaxMessages }, max: bounds.TransactionMessages},
	{name: "transaction.interval", doc: "exactly_once: longest a transaction stays open (added to what read_committed readers wait)", ref: func(s *Settings) any { return &s.Transaction.Interval }, max: bounds.Duration},
	{name: "transaction.timeout", doc: "exactly_once: the broker aborts a transaction left open longer, such as a crashed process's that no restart with the same consumer.instance_id aborted (read_committed readers wait for it until then); >= transaction.interval, at most the brokers' transaction.max.timeout.ms (15m by default)", ref: func(s *Settings) any { return &s.Transaction.Timeout }, max: bounds.Duration,
		more: "; a broker refuses a larger one when the transactional producer is made, with an error naming `transaction.timeout`"},
	{name: "schema_registry.urls", doc: "schema registry base URLs, tried in order (env: comma-separated); empty: none (server --embedded-broker serves one in process)", ref: func(s *Settings) any { return &s.SchemaRegistry.URLs },
		more: " (see [Schemas](schemas.md))"},
	{name: "schema_registry.username", doc: "schema registry basic auth user (with password)", ref: func(s *Settings) any { return &s.SchemaRegistry.Username }},
	{name: "schema_registry.password", doc: "schema registry basic auth password (prefer the env variable)", ref: func(s *Settings) any { return &s.SchemaRegistry.Password }, secret: true},
	{name: "schema_registry.tls.enabled", doc: "check https registry URLs against schema_registry.tls.ca_file (or the system pool) and send a client certificate", ref: func(s *Settings) any { return &s.SchemaRegistry.TLS.Enabled }},
	{name: "schema_registry.tls.ca_file", doc: "PEM CA bundle for the registry (default: system pool)", ref: func(s *Settings) any { return &s.SchemaRegistry.TLS.CAFile }},
	{name: "schema_registry.tls.cert_file", doc: "PEM client certificate for the registry (mutual TLS, with key_file)", ref: func(s *Settings) any { return &s.SchemaRegistry.TLS.CertFile }},
	{name: "schema_registry.tls.key_file", doc: "PEM client key for the registry", ref: func(s *Settings) any { return &s.SchemaRegistry.TLS.KeyFile }},
	{name: "schema_registry.tls.insecure_skip_verify", doc: "do not verify the registry's certificate", ref: func(s *Settings) any { return &s.SchemaRegistry.TLS.InsecureSkipVerify }},
	{name: "schema_registry.timeout", doc: "bound on one registry request", ref: func(s *Settings) any { return &s.SchemaRegistry.Timeout }, max: bounds.Duration},
	{name: "schema_registry.retries", doc: "tries again of a request the registry did not answer (or failed) before a record waits; the record is then retried with retry.backoff, never dead-lettered for an outage", ref: func(s *Settings) any { return &s.SchemaRegistry.Retries }, max: 100},
	{name: "schema_registry.backoff", doc: "pause between those tries", ref: func(s *Settings) any { return &s.SchemaRegistry.Backoff }, max: bounds.Duration},
	{name: "schema_registry.subject_ttl", doc: "how long a subject's latest version is kept before it is asked again (schemas by id are kept for good)", ref: func(s *Settings) any { return &s.SchemaRegistry.SubjectTTL }, max: bounds.Duration},

	{name: "http.addr", doc: "where server serves /metrics, /healthz, /readyz and /api/ (host:port; empty: off); name the host: 127.0.0.1 for loopback, another interface's address (0.0.0.0: every one) only to expose it", ref: func(s *Settings) any { return &s.HTTP.Addr },
		more: " (see [Operating it](operating.md))"},
	{name: "tracing.otlp_endpoint", doc: "the server exports OpenTelemetry traces over OTLP/HTTP to this collector (http://host:4318; /v1/traces unless a path is given); empty: no tracing", ref: func(s *Settings) any { return &s.Tracing.OTLPEndpoint }, url: true,
		more: " (see [Tracing](operating.md#tracing))"},

	{name: "console.enabled", doc: "serve the console at /console/ of http.addr (false: not served; the console command serves it anyway)", ref: func(s *Settings) any { return &s.Console.Enabled }},
	{name: "console.reports", doc: "publish this process's state every console.report_interval to console.reports_topic, so that every console shows the whole deployment", ref: func(s *Settings) any { return &s.Console.Reports },
		more: " (see [The console](console.md))"},
	{name: "console.reports_topic", doc: "the compacted topic of the processes' reports (topics create makes it when console.reports is on)", ref: func(s *Settings) any { return &s.Console.ReportsTopic }},
	{name: "console.report_interval", doc: "how often a process reports; three intervals without a report mark it stale", ref: func(s *Settings) any { return &s.Console.ReportInterval }, max: time.Hour},
	{name: "console.actions", doc: "allow the console's actions (pause, resume, skip a failing record, replay dead letters); needs console.token or console.auth_header", ref: func(s *Settings) any { return &s.Console.Actions }},
	{name: "console.token", doc: "the bearer token an action must carry (16 characters at least; prefer the env variable)", ref: func(s *Settings) any { return &s.Console.Token }, secret: true},
	{name: "console.auth_header", doc: "a header set by a reverse proxy in front of the console naming the authenticated user (X-Forwarded-User, say); believed only from console.trusted_proxies", ref: func(s *Settings) any { return &s.Console.AuthHeader }},
	{name: "console.trusted_proxies", doc: "addresses (CIDRs or IPs) of the reverse proxies whose console.auth_header is believed (env: comma-separated)", ref: func(s *Settings) any { return &s.Console.TrustedProxies }},
	{name: "console.hosts", doc: "host names the console answers to besides IP addresses and localhost (an ingress's, a Service's); others are refused, against DNS rebinding (env: comma-separated)", ref: func(s *Settings) any { return &s.Console.Hosts }},
	{name: "console.url", doc: "where this process's console is reached, published for the other consoles' links (default: the listening address, with this host's name when it listens on every interface)", ref: func(s *Settings) any { return &s.Console.URL }, url: true},

	{name: "log.level", doc: "debug, info, warn, error", ref: func(s *Settings) any { return &s.Log.Level }, enum: []string{"debug", "info", "warn", "error"}},
	{name: "log.format", doc: "text or json (to stderr)", ref: func(s *Settings) any { return &s.Log.Format }, enum: []string{"text", "json"}},
}
