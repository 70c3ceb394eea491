package interop_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// codecs are kcat's -z values and what the broker must store.
var codecs = []struct {
	name  string
	codec sarama.CompressionCodec
}{
	{"none", sarama.CompressionNone},
	{"gzip", sarama.CompressionGZIP},
	{"snappy", sarama.CompressionSnappy},
	{"lz4", sarama.CompressionLZ4},
	{"zstd", sarama.CompressionZSTD},
}

// TestKcat_compressedKeyedInputsAnswered: kcat produces the example's
// repositories_created inputs, keyed, in batches of each compression codec;
// the server answers every one exactly once with sources_created carrying
// the input's key; kcat reads the responses back.
func TestKcat_compressedKeyedInputsAnswered(t *testing.T) {
	kc := kcat(t)
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			const perCodec = 20
			a := newApp(t, "kcat")
			a.create(t, tg.brokers, 3, 3)
			s := startServer(t, 1, a, serverArgs(a, tg.brokers)...)
			waitUntil(t, 60*time.Second, "the server to hold the 3 input partitions",
				func() bool { return len(s.assigned(a.input())) == 3 }, s)

			b := strings.Join(tg.brokers, ",")
			want := map[int64]string{} // id -> key
			codecOf := map[string]sarama.CompressionCodec{}
			for ci, c := range codecs {
				var in strings.Builder
				for i := range perCodec {
					id := int64(ci*1000 + i + 1)
					key := fmt.Sprintf("%s-%d", c.name, id)
					value := fmt.Sprintf(`{"id":%d}`, id)
					want[id] = key
					codecOf[value] = c.codec
					fmt.Fprintf(&in, "%s:%s\n", key, value)
				}
				// linger.ms holds the messages back so that several share a batch.
				run(t, 60*time.Second, in.String(), kc, "-b", b, "-P", "-t", a.input(), "-K:", "-z", c.name,
					"-X", "linger.ms=200", "-X", "batch.num.messages=1000")
			}

			// The broker holds the batches as kcat compressed them. librdkafka
			// sends a batch uncompressed when compressing does not make it
			// smaller, which happens to a batch of one small message.
			//
			// The embedded broker (kfake) is only checked for what it got:
			// librdkafka 2.0.2 sends it gzip, snappy and lz4 batches
			// uncompressed (zstd compressed), although kfake stores sarama's
			// gzip/snappy/lz4 batches as sent (cause not found; both brokers
			// advertise the same librdkafka features but SaslHandshake).
			multi := map[sarama.CompressionCodec]bool{}
			seen := 0
			var shapes, wrong []string
			for _, bt := range storedBatches(t, tg.brokers, a.input()) {
				shapes = append(shapes, fmt.Sprintf("%d:%v×%d", bt.partition, bt.codec, len(bt.values)))
				for _, v := range bt.values {
					if codecOf[v] != bt.codec && !(len(bt.values) == 1 && bt.codec == sarama.CompressionNone) {
						wrong = append(wrong, fmt.Sprintf("%s stored in a %v batch of %d, want %v", v, bt.codec, len(bt.values), codecOf[v]))
					}
					seen++
				}
				if len(bt.values) > 1 {
					multi[bt.codec] = true
				}
			}
			t.Logf("%s: stored batches (partition:codec×records): %s", tg.name, strings.Join(shapes, " "))
			if seen != len(want) {
				t.Errorf("broker holds %d inputs, want %d", seen, len(want))
			}
			if tg.real {
				for _, w := range wrong {
					t.Error(w)
				}
				for _, c := range codecs {
					if !multi[c.codec] {
						t.Errorf("no %s batch with more than one message", c.name)
					}
				}
			}

			// kcat reads the responses: key TAB value per message.
			var lines []string
			deadline := time.Now().Add(60 * time.Second)
			for len(lines) < len(want) && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				lines = scanLines(run(t, 60*time.Second, "", kc, "-b", b, "-C", "-t", a.output(), "-o", "beginning", "-e", "-q",
					"-f", "%k\t%s\n"))
			}
			got := map[int64]int{}
			for _, l := range lines {
				key, value, ok := strings.Cut(l, "\t")
				var src struct {
					RepositoryID int64 `json:"repository_id"`
				}
				if !ok || json.Unmarshal([]byte(value), &src) != nil {
					t.Errorf("response %q: want key TAB {\"repository_id\":N}", l)
					continue
				}
				got[src.RepositoryID]++
				if wk, ok := want[src.RepositoryID]; !ok {
					t.Errorf("response for unknown id %d: %q", src.RepositoryID, l)
				} else if key != wk {
					t.Errorf("response for id %d has key %q, want the input's %q", src.RepositoryID, key, wk)
				}
			}
			for id := range want {
				if got[id] != 1 {
					t.Errorf("id %d: %d responses, want 1", id, got[id])
				}
			}
			t.Logf("%s: %d inputs in %d codecs, %d responses read by kcat", tg.name, len(want), len(codecs), len(lines))
			if n := s.count("message dead-lettered"); n != 0 {
				t.Errorf("%d messages dead-lettered", n)
			}
		})
	}
}
