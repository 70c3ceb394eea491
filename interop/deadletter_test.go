package interop_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readDeadLetters is a kafka-python consumer: it reads topic from the
// beginning until want records arrived (or the timeout in seconds passed)
// and prints one JSON object per record, headers decoded as UTF-8.
const readDeadLetters = `
import json, sys, time
from kafka import KafkaConsumer
bootstrap, topic, want, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
c = KafkaConsumer(topic, bootstrap_servers=bootstrap.split(','), group_id=None,
                  auto_offset_reset='earliest', enable_auto_commit=False,
                  consumer_timeout_ms=500)
got, deadline = 0, time.time() + timeout
while got < want and time.time() < deadline:
    for r in c:
        print(json.dumps({'topic': r.topic, 'partition': r.partition, 'offset': r.offset,
                          'key': r.key.decode() if r.key is not None else None,
                          'value': r.value.decode(),
                          'headers': [[k, v.decode() if v is not None else None] for k, v in (r.headers or [])]}),
              flush=True)
        got += 1
        if got >= want:
            break
c.close()
`

type pyRecord struct {
	Topic     string      `json:"topic"`
	Partition int32       `json:"partition"`
	Offset    int64       `json:"offset"`
	Key       *string     `json:"key"`
	Value     string      `json:"value"`
	Headers   [][2]string `json:"headers"`
}

func (r pyRecord) header(k string) string {
	for _, h := range r.Headers {
		if h[0] == k {
			return h[1]
		}
	}
	return ""
}

// TestKafkaPython_readsDeadLetters: malformed and invalid inputs (produced by
// kcat, with a header of their own) are dead-lettered by the server;
// kafka-python reads the dead letter topic and finds the original record
// with headers naming its origin, the error, the attempts and the stage.
func TestKafkaPython_readsDeadLetters(t *testing.T) {
	py := python(t)
	kc := kcat(t)
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			a := newApp(t, "dlq")
			a.create(t, tg.brokers, 1, 1)
			s := startServer(t, 1, a, serverArgs(a, tg.brokers)...)
			waitUntil(t, 60*time.Second, "the server to hold the input partition",
				func() bool { return len(s.assigned(a.input())) == 1 }, s)

			b := strings.Join(tg.brokers, ",")
			// Offsets 0..3 of partition 0: good, malformed JSON, no id, good.
			inputs := []struct{ key, value string }{
				{"good-1", `{"id":1}`},
				{"bad-json", `{"id":`},
				{"no-id", `{"name":"x"}`},
				{"good-2", `{"id":2}`},
			}
			for _, in := range inputs {
				run(t, 30*time.Second, in.key+"|"+in.value+"\n", kc, "-b", b, "-P", "-t", a.input(), "-p", "0",
					"-K|", "-H", "trace-id=t-"+in.key)
			}

			lines := scanLines(run(t, 90*time.Second, "", py, "-c", readDeadLetters, b, a.deadLetter(), "2", "60"))
			if len(lines) != 2 {
				t.Fatalf("kafka-python read %d dead letters, want 2:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			wantOffsets := map[string]int64{"bad-json": 1, "no-id": 2}
			// Both failures are permanent (bad JSON, supervision.Permanent for
			// a missing id): one attempt, no retries.
			wantError := map[string]string{"bad-json": "invalid JSON", "no-id": `missing numeric "id"`}
			for _, l := range lines {
				t.Logf("%s: dead letter read by kafka-python: %s", tg.name, l)
				var r pyRecord
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("%v: %q", err, l)
				}
				if r.Key == nil {
					t.Errorf("dead letter without key: %s", l)
					continue
				}
				off, ok := wantOffsets[*r.Key]
				if !ok {
					t.Errorf("unexpected dead letter: %s", l)
					continue
				}
				delete(wantOffsets, *r.Key)
				in := inputs[off]
				check := func(k, want string) {
					if got := r.header(k); got != want {
						t.Errorf("%s: header %s = %q, want %q", *r.Key, k, got, want)
					}
				}
				if r.Value != in.value {
					t.Errorf("%s: value %q, want the original %q", *r.Key, r.Value, in.value)
				}
				check("trace-id", "t-"+in.key)
				check("karafka.origin.topic", a.input())
				check("karafka.origin.partition", "0")
				check("karafka.origin.offset", strconv.FormatInt(off, 10))
				check("karafka.attempts", "1")
				check("karafka.stage", "controller")
				if e := r.header("karafka.error"); !strings.Contains(e, wantError[*r.Key]) {
					t.Errorf("%s: karafka.error %q, want it to contain %q", *r.Key, e, wantError[*r.Key])
				}
			}
			if len(wantOffsets) > 0 {
				t.Errorf("no dead letter for %v", wantOffsets)
			}

			// The good inputs around them are answered.
			out := scanLines(run(t, 30*time.Second, "", kc, "-b", b, "-C", "-t", a.output(), "-o", "beginning", "-e", "-q", "-f", "%s\n"))
			if got := strings.Join(out, ","); got != `{"repository_id":1},{"repository_id":2}` {
				t.Errorf("responses %s, want ids 1 and 2", got)
			}
		})
	}
}
