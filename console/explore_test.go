package console_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/console"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/internal/testregistry"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/topology"
)

// exWorld is what an explorer test runs on: one client library's reader
// on brokers of its own, and the topics of an application (unique names).
type exWorld struct {
	ctx     context.Context
	brokers []string
	reader  client.Reader
	prod    *kgo.Client
	// orders (2 partitions, JSON) has its dead letters in dlq and its
	// responses in receipts; blobs is a raw route; missing a route whose
	// topic the cluster does not have.
	orders, dlq, receipts, blobs, missing string
}

// exEach runs f as a subtest per client library, each on a fresh
// embedded broker (or KARAFKA_TEST_BROKERS) with the world's topics.
func exEach(t *testing.T, f func(t *testing.T, w *exWorld)) {
	for _, lib := range []string{kafka.ClientSarama, kafka.ClientFranz} {
		t.Run(lib, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			w := &exWorld{ctx: ctx, brokers: testkafka.Brokers(t),
				orders: testkafka.Name(t, "orders"), dlq: testkafka.Name(t, "orders_dlq"),
				receipts: testkafka.Name(t, "receipts"), blobs: testkafka.Name(t, "blobs"),
				missing: testkafka.Name(t, "missing")}
			testkafka.CreateTopics(t, w.brokers, 2, w.orders)
			testkafka.CreateTopics(t, w.brokers, 1, w.dlq, w.receipts, w.blobs)
			c := testkafka.Config(w.brokers)
			c.Client = lib
			r, err := clients.NewReader(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			w.reader = r
			opts, err := testkafka.Config(w.brokers).Franz()
			if err != nil {
				t.Fatal(err)
			}
			w.prod, err = kgo.NewClient(append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()),
				kgo.ProducerBatchMaxBytes(4<<20), kgo.ProducerBatchCompression(kgo.NoCompression()))...)
			if err != nil {
				t.Fatal(err)
			}
			defer w.prod.Close()
			f(t, w)
		})
	}
}

// routes are the world's routes; more are added after them.
func (w *exWorld) routes(more ...topology.Resolved) []topology.Resolved {
	return append([]topology.Resolved{
		{Route: topology.Route{Topic: w.orders, Parser: params.JSON}, DeadLetter: w.dlq,
			ResponderTopics: []responders.Topic{responders.Required(w.receipts)}},
		{Route: topology.Route{Topic: w.blobs, Parser: params.Raw}},
		{Route: topology.Route{Topic: w.missing}}, // parser nil: JSON
	}, more...)
}

func (w *exWorld) explorer(more ...topology.Resolved) *console.Explorer {
	return console.NewExplorer(w.reader, w.routes(more...), "__consumer_offsets", "__transaction_state")
}

// produce writes recs, each as a batch of its own.
func (w *exWorld) produce(t *testing.T, recs ...*kgo.Record) {
	t.Helper()
	for _, r := range recs {
		if err := w.prod.ProduceSync(w.ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

// exGet serves path?query with h, and returns the status and body.
func exGet(t *testing.T, h http.HandlerFunc, query string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/console/api/records?"+query, nil)
	rec := httptest.NewRecorder()
	h(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", query, ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Errorf("%s: not JSON: %s", query, rec.Body)
	}
	return rec.Code, rec.Body.String()
}

// exPage gets api/records for query and decodes it; the status must be 200.
func exPage(t *testing.T, e *console.Explorer, query string) (console.RecordsPage, []map[string]json.RawMessage) {
	t.Helper()
	code, body := exGet(t, e.ServeRecords, query)
	if code != http.StatusOK {
		t.Fatalf("%s: %d %s", query, code, body)
	}
	var p console.RecordsPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Records []map[string]json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	return p, raw.Records
}

func exOffsets(p console.RecordsPage) []int64 {
	out := []int64{}
	for _, r := range p.Records {
		out = append(out, r.Offset)
	}
	return out
}

func exQuery(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// api/topics lists the routes' topics, their dead letter and response
// topics that the cluster has, with their bounds; no internal topic.
func TestExplorer_topics(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		for i := range 3 {
			w.produce(t, &kgo.Record{Topic: w.orders, Partition: 1, Value: fmt.Appendf(nil, `{"n":%d}`, i)})
		}
		w.produce(t, &kgo.Record{Topic: w.dlq, Value: []byte("x")})
		e := w.explorer()
		code, body := exGet(t, e.ServeTopics, "")
		if code != http.StatusOK {
			t.Fatalf("%d %s", code, body)
		}
		want := []console.TopicInfo{
			{Name: w.orders, Partitions: []console.PartitionBounds{{Partition: 0}, {Partition: 1, End: 3}}, Route: true, Parser: "json"},
			{Name: w.dlq, Partitions: []console.PartitionBounds{{Partition: 0, End: 1}}, DeadLetter: true},
			{Name: w.receipts, Partitions: []console.PartitionBounds{{Partition: 0}}},
			{Name: w.blobs, Partitions: []console.PartitionBounds{{Partition: 0}}, Route: true, Parser: "raw"},
		}
		slices.SortFunc(want, func(a, b console.TopicInfo) int { return strings.Compare(a.Name, b.Name) })
		wantJSON, _ := json.Marshal(want)
		if body != string(wantJSON) {
			t.Errorf("api/topics:\n got %s\nwant %s", body, wantJSON)
		}
		// The contract's fields, and only those.
		var docs []map[string]any
		_ = json.Unmarshal([]byte(body), &docs)
		for _, d := range docs {
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range d {
					if !yield(k) {
						return
					}
				}
			})
			if fmt.Sprint(keys) != "[dead_letter name parser partitions route]" {
				t.Errorf("fields %v", keys)
			}
		}
	})
}

// api/records pages through a partition by offset, by default its last
// records, with the contract's JSON.
func TestExplorer_recordsByOffset(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 250e6, time.UTC)
		for i := range 5 {
			w.produce(t, &kgo.Record{Topic: w.orders, Partition: 0, Key: fmt.Appendf(nil, "k%d", i),
				Value: fmt.Appendf(nil, `{"id":%d,"tags":["<a>"]}`, i), Timestamp: t0.Add(time.Duration(i) * time.Second),
				Headers: []kgo.RecordHeader{{Key: "trace", Value: []byte("t")}}})
		}
		e := w.explorer()
		p, raw := exPage(t, e, exQuery("topic", w.orders, "partition", "0", "offset", "1", "limit", "2"))
		if fmt.Sprint(exOffsets(p)) != "[1 2]" || p.Next != 3 || p.Start != 0 || p.End != 5 || p.Topic != w.orders || p.Partition != 0 {
			t.Errorf("offset 1 limit 2: %+v", p)
		}
		want := `{"offset":1,"time":"2026-03-01T12:00:01.25Z","key":"k1","key_base64":false,` +
			`"headers":[{"key":"trace","value":"t"}],"value":"{\"id\":1,\"tags\":[\"<a>\"]}","value_base64":false,` +
			`"decoded":{"id":1,"tags":["<a>"]},"decode_error":"","parser":"json"}`
		got, _ := json.Marshal(raw[0])
		var wantDoc map[string]json.RawMessage
		_ = json.Unmarshal([]byte(want), &wantDoc)
		wantCanon, _ := json.Marshal(wantDoc)
		if string(got) != string(wantCanon) {
			t.Errorf("record:\n got %s\nwant %s", got, wantCanon)
		}
		for _, c := range []struct {
			query string
			want  string
			next  int64
		}{
			{exQuery("topic", w.orders), "[0 1 2 3 4]", 5},                        // the last 20, partition 0
			{exQuery("topic", w.orders, "limit", "2"), "[3 4]", 5},                // the last 2
			{exQuery("topic", w.orders, "offset", "4", "limit", "100"), "[4]", 5}, // to the end
			{exQuery("topic", w.orders, "offset", "5"), "[]", 5},                  // at the end
			{exQuery("topic", w.orders, "offset", "500"), "[]", 5},                // past it: next is the end
			{exQuery("topic", w.orders, "partition", "1"), "[]", 0},               // empty
		} {
			p, _ := exPage(t, e, c.query)
			if fmt.Sprint(exOffsets(p)) != c.want || p.Next != c.next {
				t.Errorf("%s: offsets %v next %d; want %s next %d", c.query, exOffsets(p), p.Next, c.want, c.next)
			}
		}
		// The Go API: a negative offset is the last records, Limit 0 the
		// default, above MaxLimit MaxLimit.
		pg, err := e.Records(w.ctx, console.Query{Topic: w.orders, Offset: -1, Limit: 1})
		if err != nil || fmt.Sprint(exOffsets(pg)) != "[4]" {
			t.Errorf("Records(-1, 1) = %v, %v", exOffsets(pg), err)
		}
		if pg, err = e.Records(w.ctx, console.Query{Topic: w.orders, Limit: 1000}); err != nil || len(pg.Records) != 5 {
			t.Errorf("Records(0, 1000) = %v, %v", exOffsets(pg), err)
		}
	})
}

// time= starts at the first record at or after that time.
func TestExplorer_recordsByTime(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		t0 := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
		for i := range 3 {
			w.produce(t, &kgo.Record{Topic: w.orders, Partition: 1, Value: []byte("{}"), Timestamp: t0.Add(time.Duration(i) * time.Minute)})
		}
		e := w.explorer()
		for _, c := range []struct {
			at   string
			want string
		}{
			{t0.Add(-time.Hour).Format(time.RFC3339), "[0 1 2]"},
			{t0.Add(30 * time.Second).Format(time.RFC3339), "[1 2]"},
			{t0.Add(time.Minute).In(time.FixedZone("x", 2*3600)).Format(time.RFC3339), "[1 2]"},
			{t0.Add(time.Minute + time.Millisecond).Format(time.RFC3339Nano), "[2]"},
			{t0.Add(time.Hour).Format(time.RFC3339), "[]"},
		} {
			p, _ := exPage(t, e, exQuery("topic", w.orders, "partition", "1", "time", c.at))
			if fmt.Sprint(exOffsets(p)) != c.want {
				t.Errorf("time %s: %v, want %s", c.at, exOffsets(p), c.want)
			}
		}
	})
}

// A bad parameter is 400 with a JSON error naming it; another method 405.
func TestExplorer_badParameters(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		e := w.explorer()
		for _, c := range []struct{ query, param string }{
			{"", "topic"},
			{exQuery("partition", "0"), "topic"},
			{exQuery("topic", w.orders, "partition", "x"), "partition"},
			{exQuery("topic", w.orders, "partition", "-1"), "partition"},
			{exQuery("topic", w.orders, "partition", "99999999999"), "partition"},
			{exQuery("topic", w.orders, "offset", "x"), "offset"},
			{exQuery("topic", w.orders, "offset", "-5"), "offset"},
			{exQuery("topic", w.orders, "offset", "1.5"), "offset"},
			{exQuery("topic", w.orders, "time", "yesterday"), "time"},
			{exQuery("topic", w.orders, "time", "2026-03-01"), "time"},
			{exQuery("topic", w.orders, "time", "2026-03-01T12:00:00Z", "offset", "3"), "time"},
			{exQuery("topic", w.orders, "limit", "0"), "limit"},
			{exQuery("topic", w.orders, "limit", "101"), "limit"},
			{exQuery("topic", w.orders, "limit", "ten"), "limit"},
		} {
			code, body := exGet(t, e.ServeRecords, c.query)
			var doc struct{ Error string }
			_ = json.Unmarshal([]byte(body), &doc)
			if code != http.StatusBadRequest || !strings.HasPrefix(doc.Error, c.param+":") {
				t.Errorf("%s: %d %s; want 400 naming %s", c.query, code, body, c.param)
			}
		}
		for _, h := range []http.HandlerFunc{e.ServeRecords, e.ServeTopics} {
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest(http.MethodPost, "/console/api/records?"+exQuery("topic", w.orders), nil))
			if rec.Code != http.StatusMethodNotAllowed || !json.Valid(rec.Body.Bytes()) {
				t.Errorf("POST: %d %s", rec.Code, rec.Body)
			}
		}
	})
}

// A topic that is not the application's, one the cluster does not have,
// and a partition it does not have: 404 with a JSON error naming it.
func TestExplorer_unknownTopic(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		e := w.explorer()
		for _, c := range []struct{ query, names string }{
			{exQuery("topic", "__consumer_offsets"), "__consumer_offsets"},
			{exQuery("topic", "someone_elses"), "someone_elses"},
			{exQuery("topic", w.missing), w.missing},
			{exQuery("topic", w.orders, "partition", "7"), w.orders + `" partition 7`},
			{exQuery("topic", w.orders, "partition", "7", "time", "2026-03-01T12:00:00Z"), w.orders},
		} {
			code, body := exGet(t, e.ServeRecords, c.query)
			var doc struct{ Error string }
			_ = json.Unmarshal([]byte(body), &doc)
			if code != http.StatusNotFound || !strings.Contains(doc.Error, c.names) {
				t.Errorf("%s: %d %s; want 404 naming %s", c.query, code, body, c.names)
			}
		}
		_, err := e.Records(w.ctx, console.Query{Topic: "someone_elses"})
		if !errors.Is(err, console.ErrUnknownTopic) {
			t.Errorf("Records of another topic: %v", err)
		}
		if _, err = e.Records(w.ctx, console.Query{Topic: w.missing}); !errors.Is(err, client.ErrUnknownTopicOrPartition) {
			t.Errorf("Records of a missing topic: %v", err)
		}
	})
}

// Keys, values and headers that are not UTF-8 are base64; nulls are null;
// a value its parser refuses says why, and the page is still 200.
func TestExplorer_binaryNullsAndDecodeErrors(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		bin := []byte{0xff, 0xfe, 0x00, 'a'}
		w.produce(t,
			&kgo.Record{Topic: w.orders, Key: bin, Value: bin, Headers: []kgo.RecordHeader{{Key: "b", Value: bin}, {Key: "n", Value: nil}, {Key: "t", Value: []byte("é")}}},
			&kgo.Record{Topic: w.orders, Key: nil, Value: nil},                     // tombstone
			&kgo.Record{Topic: w.orders, Key: []byte{}, Value: []byte{}},           // empty: not JSON
			&kgo.Record{Topic: w.orders, Key: []byte("k"), Value: []byte(`{"a":`)}, // cut JSON
			&kgo.Record{Topic: w.blobs, Key: []byte("k"), Value: bin},              // raw route
			&kgo.Record{Topic: w.receipts, Key: []byte("k"), Value: []byte(`{"ok":true}`)},
		)
		e := w.explorer()
		_, raw := exPage(t, e, exQuery("topic", w.orders, "offset", "0"))
		if len(raw) != 4 {
			t.Fatalf("%d records", len(raw))
		}
		b64 := `"` + base64.StdEncoding.EncodeToString(bin) + `"`
		check := func(rec map[string]json.RawMessage, field, want string) {
			t.Helper()
			if string(rec[field]) != want {
				t.Errorf("record %s: %s = %s, want %s", rec["offset"], field, rec[field], want)
			}
		}
		check(raw[0], "key", b64)
		check(raw[0], "key_base64", "true")
		check(raw[0], "value", b64)
		check(raw[0], "value_base64", "true")
		check(raw[0], "headers", `[{"key":"b","value":`+b64+`,"value_base64":true},{"key":"n","value":null},{"key":"t","value":"é"}]`)
		check(raw[0], "decoded", "null")
		check(raw[0], "parser", `"json"`)
		if !strings.Contains(string(raw[0]["decode_error"]), "invalid character") {
			t.Errorf("binary value: decode_error %s", raw[0]["decode_error"])
		}
		check(raw[1], "key", "null")
		check(raw[1], "value", "null")
		check(raw[1], "key_base64", "false")
		check(raw[1], "decoded", "null")
		check(raw[1], "decode_error", `""`)
		check(raw[1], "headers", `[]`)
		check(raw[2], "key", `""`)
		check(raw[2], "value", `""`)
		check(raw[2], "decoded", "null")
		if string(raw[2]["decode_error"]) == `""` {
			t.Errorf("empty value: no decode_error")
		}
		check(raw[3], "decoded", "null")
		if !strings.Contains(string(raw[3]["decode_error"]), "unexpected end of JSON") {
			t.Errorf("cut JSON: decode_error %s", raw[3]["decode_error"])
		}
		// Raw: bytes pass through; the value says it all.
		_, raw = exPage(t, e, exQuery("topic", w.blobs))
		check(raw[0], "value", b64)
		check(raw[0], "parser", `"raw"`)
		check(raw[0], "decoded", "null")
		check(raw[0], "decode_error", `""`)
		// A response topic has no parser.
		_, raw = exPage(t, e, exQuery("topic", w.receipts))
		check(raw[0], "value", `"{\"ok\":true}"`)
		check(raw[0], "parser", `""`)
		check(raw[0], "decoded", "null")
	})
}

// A dead letter's value is decoded by the parser of the route its
// karafka.origin.topic names; a forged input.karafka.origin.topic is not
// taken for it.
func TestExplorer_deadLettersDecodedByTheirOrigin(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		origin := func(topic string) []kgo.RecordHeader {
			return []kgo.RecordHeader{{Key: "karafka.origin.topic", Value: []byte(topic)}, {Key: "karafka.error", Value: []byte("boom")}}
		}
		w.produce(t,
			&kgo.Record{Topic: w.dlq, Value: []byte(`{"id":7}`), Headers: origin(w.orders)},
			&kgo.Record{Topic: w.dlq, Value: []byte(`{"id":8}`), Headers: origin(w.blobs)},
			&kgo.Record{Topic: w.dlq, Value: []byte(`{"id":9}`), Headers: origin("elsewhere")},
			&kgo.Record{Topic: w.dlq, Value: []byte(`{"id":10}`), Headers: []kgo.RecordHeader{{Key: "input.karafka.origin.topic", Value: []byte(w.orders)}}},
			&kgo.Record{Topic: w.dlq, Value: []byte(`{"id":`), Headers: origin(w.orders)},
		)
		p, _ := exPage(t, console.NewExplorer(w.reader, w.routes()), exQuery("topic", w.dlq, "offset", "0"))
		var got []string
		for _, r := range p.Records {
			got = append(got, fmt.Sprintf("%s|%s|%t", r.Parser, r.Decoded, r.DecodeError != ""))
		}
		want := []string{`json|{"id":7}|false`, `raw|null|false`, `|null|false`, `|null|false`, `json|null|true`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got  %v\nwant %v", got, want)
		}
		if h := p.Records[0].Headers; len(h) != 2 || h[1].Key != "karafka.error" || *h[1].Value != "boom" {
			t.Errorf("headers %+v", h)
		}
	})
}

// exParser is a parser that does what its name says with a value.
type exParser struct {
	name  string
	calls atomic.Int32
	parse func(raw []byte) (any, error)
}

func (p *exParser) Name() string                   { return p.name }
func (p *exParser) Check([]byte) error             { return nil }
func (p *exParser) Decode(raw []byte, v any) error { return nil }
func (p *exParser) Parse(raw []byte) (any, error) {
	p.calls.Add(1)
	return p.parse(raw)
}

// A hostile record cannot blow the page up: a decoded document over
// MaxDecodedBytes, a parser that panics or makes what JSON cannot hold
// are decode errors; a registry outage is asked about once a page;
// non-finite floats print as protojson's strings; big values are cut and
// a page stops at PageBytes.
func TestExplorer_hostileRecords(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		hostile := testkafka.Name(t, "hostile")
		big := testkafka.Name(t, "big")
		testkafka.CreateTopics(t, w.brokers, 1, hostile)
		adm := kadm.NewClient(w.prod)
		if _, err := adm.CreateTopic(w.ctx, 1, -1, map[string]*string{"max.message.bytes": kadm.StringPtr("4000000")}, big); err != nil {
			t.Fatal(err)
		}
		var outage atomic.Int32
		p := &exParser{name: "hostile", parse: func(raw []byte) (any, error) {
			s := string(raw)
			switch {
			case s == "panic":
				panic("kaboom")
			case s == "chan":
				return make(chan int), nil
			case s == "nan":
				return map[string]any{"x": math.NaN(), "y": math.Inf(-1)}, nil
			case s == "outage":
				outage.Add(1)
				return nil, fmt.Errorf("%w: registry down", params.ErrUnavailable)
			case strings.HasPrefix(s, "huge"):
				return strings.Repeat("x", console.MaxDecodedBytes), nil // JSON adds its quotes
			}
			return s, nil
		}}
		e := w.explorer(topology.Resolved{Route: topology.Route{Topic: hostile, Parser: p}},
			topology.Resolved{Route: topology.Route{Topic: big, Parser: params.JSON}})
		var recs []*kgo.Record
		for _, v := range []string{"panic", "chan", "nan", "huge", "fine", "outage", "fine", "outage"} {
			recs = append(recs, &kgo.Record{Topic: hostile, Value: []byte(v)})
		}
		w.produce(t, recs...)
		pg, _ := exPage(t, e, exQuery("topic", hostile, "offset", "0"))
		var got []string
		for _, r := range pg.Records {
			got = append(got, fmt.Sprintf("%s|%s", r.Decoded, r.DecodeError))
		}
		// Once the parser said it cannot reach what it needs, it is not
		// asked again on this page.
		outageErr := "null|params: a service the parser needs is unavailable: registry down"
		for i, want := range []string{"null|parser hostile failed on this value: kaboom", "null|the decoded value has no JSON form",
			`{"x":"NaN","y":"-Infinity"}|`, "null|the decoded value is 65538 bytes as JSON: too big to show",
			`"fine"|`, outageErr, outageErr, outageErr} {
			if i >= len(got) || !strings.HasPrefix(got[i], want) {
				t.Errorf("record %d: %q, want it to begin %q", i, got[min(i, len(got)-1)], want)
			}
		}
		if n := outage.Load(); n != 1 {
			t.Errorf("the outage was asked about %d times in a page, want once", n)
		}
		// JSON nested beyond what encoding/json decodes.
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		// A value over MaxShownBytes, and pages of values near 1 MiB.
		huge := `"` + strings.Repeat("é", console.MaxShownBytes/2) + `"` // 2 bytes each, plus quotes
		w.produce(t, &kgo.Record{Topic: big, Value: []byte(deep)}, &kgo.Record{Topic: big, Value: []byte(huge)})
		for range 6 {
			w.produce(t, &kgo.Record{Topic: big, Value: []byte(`"` + strings.Repeat("y", 900<<10) + `"`)})
		}
		pg, _ = exPage(t, e, exQuery("topic", big, "offset", "0"))
		if len(pg.Records) < 2 {
			t.Fatalf("%d records", len(pg.Records))
		}
		if r := pg.Records[0]; string(r.Decoded) != "null" || !strings.Contains(r.DecodeError, "exceeded max depth") {
			t.Errorf("deep JSON: decoded %.40s, error %q", r.Decoded, r.DecodeError)
		}
		r := pg.Records[1]
		// Cut before the é that would cross MaxShownBytes.
		if r.ValueTruncated != 3 || len(*r.Value) != console.MaxShownBytes-1 || !utf8.ValidString(*r.Value) || r.ValueBase64 {
			t.Errorf("big value: %d bytes shown, %d cut (base64 %t)", len(*r.Value), r.ValueTruncated, r.ValueBase64)
		}
		if string(r.Decoded) != "null" || !strings.Contains(r.DecodeError, "more than the 1048576 the explorer decodes") {
			t.Errorf("big value: decoded %.40s, error %q", r.Decoded, r.DecodeError)
		}
		// About 1 MiB, then 900 KiB each: the first record past 4 MiB
		// ends the page.
		if n := len(pg.Records); n != 6 || pg.Next != 6 || pg.End != 8 {
			t.Errorf("page of %d records, next %d, end %d; want 6, 6, 8", n, pg.Next, pg.End)
		}
		pg, _ = exPage(t, e, exQuery("topic", big, "offset", "6"))
		if fmt.Sprint(exOffsets(pg)) != "[6 7]" {
			t.Errorf("next page: %v", exOffsets(pg))
		}
	})
}

// A schema route's values print as schemas.MarshalJSON prints them.
func TestExplorer_schemaRoute(t *testing.T) {
	exEach(t, func(t *testing.T, w *exWorld) {
		cfg := schemas.DefaultConfig()
		cfg.URLs = []string{testregistry.URL(t)}
		reg, err := schemas.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		users := testkafka.Name(t, "users")
		testkafka.CreateTopics(t, w.brokers, 1, users)
		const schema = `{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"avatar","type":"bytes"},{"name":"score","type":"double"}]}`
		raw, err := reg.TopicName().Register(schemas.Avro, schema).Encode(users, map[string]any{"id": 7, "avatar": []byte("hi"), "score": math.Inf(1)})
		if err != nil {
			t.Fatal(err)
		}
		w.produce(t, &kgo.Record{Topic: users, Value: raw})
		e := w.explorer(topology.Resolved{Route: topology.Route{Topic: users, Parser: reg.Parser(schemas.Avro)}})
		pg, _ := exPage(t, e, exQuery("topic", users))
		if len(pg.Records) != 1 {
			t.Fatalf("%d records", len(pg.Records))
		}
		r := pg.Records[0]
		if string(r.Decoded) != `{"avatar":"aGk=","id":7,"score":"Infinity"}` || r.DecodeError != "" || r.Parser != "avro" || !r.ValueBase64 {
			t.Errorf("decoded %s, error %q, parser %q, base64 %t", r.Decoded, r.DecodeError, r.Parser, r.ValueBase64)
		}
	})
}
