package pipeline_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/internal/pipeline"
	"github.com/karafka-actors/karafka-actors/producer"
)

func header(msg producer.Message, key string) (string, int) {
	v, n := "", 0
	for _, h := range msg.Headers {
		if h.Key == key {
			if n == 0 {
				v = string(h.Value)
			}
			n++
		}
	}
	return v, n
}

var failure = pipeline.Failure{Topic: "in", Partition: 2, Offset: 7, Stage: "controller", Attempt: 3, Err: errors.New("boom")}

func TestDeadLetter_fitsAsItCame(t *testing.T) {
	in := []producer.Header{{Key: "trace", Value: []byte("t1")}}
	dl := pipeline.DeadLetter("in_dlq", []byte("k"), []byte("v"), in, failure, 1<<20)
	if string(dl.Key) != "k" || string(dl.Value) != "v" || dl.Topic != "in_dlq" || len(dl.Headers) != 1+pipeline.DeadLetterHeaderCount {
		t.Fatalf("dead letter %+v", dl)
	}
	for k, want := range map[string]string{"trace": "t1", pipeline.HeaderOriginTopic: "in", pipeline.HeaderOriginPartition: "2",
		pipeline.HeaderOriginOffset: "7", pipeline.HeaderError: "boom", pipeline.HeaderAttempts: "3", pipeline.HeaderStage: "controller"} {
		if v, _ := header(dl, k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
}

func TestDeadLetter_inputFrameworkHeadersRenamed(t *testing.T) {
	in := []producer.Header{{Key: "karafka.origin.topic", Value: []byte("payments")}, {Key: "karafka.attempts", Value: []byte("99")}}
	dl := pipeline.DeadLetter("d", nil, nil, in, failure, 0)
	if v, n := header(dl, pipeline.HeaderOriginTopic); v != "in" || n != 1 {
		t.Errorf("origin topic %q (%d headers), want in, once", v, n)
	}
	if v, _ := header(dl, "input.karafka.attempts"); v != "99" {
		t.Errorf("renamed input header %q, want 99", v)
	}
}

func TestDeadLetter_cutToFit(t *testing.T) {
	value := []byte(strings.Repeat("A", 5000))
	dl := pipeline.DeadLetter("d", []byte("key"), value, []producer.Header{{Key: "h", Value: []byte("x")}}, failure, 2000)
	if size := producer.Size(&dl); size > 2000 {
		t.Fatalf("size %d over 2000", size)
	}
	if v, _ := header(dl, pipeline.HeaderTruncatedValue); v != "5000" {
		t.Errorf("truncated value header %q, want 5000", v)
	}
	if len(dl.Value) < 1000 || string(dl.Value) != string(value[:len(dl.Value)]) || string(dl.Key) != "key" {
		t.Errorf("kept %d bytes of the value and key %q: want the start of it and the key", len(dl.Value), dl.Key)
	}
	if v, _ := header(dl, "h"); v != "x" {
		t.Error("a small input header was dropped")
	}
}

func TestDeadLetter_hugeHeadersAndKeyDropped(t *testing.T) {
	in := []producer.Header{{Key: "big", Value: make([]byte, 3000)}, {Key: "b2", Value: []byte("y")}}
	dl := pipeline.DeadLetter("d", make([]byte, 3000), []byte("v"), in, failure, 2000)
	if size := producer.Size(&dl); size > 2000 {
		t.Fatalf("size %d over 2000", size)
	}
	if v, _ := header(dl, pipeline.HeaderTruncatedHeaders); v != "2" {
		t.Errorf("truncated headers %q, want 2", v)
	}
	if v, _ := header(dl, pipeline.HeaderTruncatedKey); v != "3000" || dl.Key != nil {
		t.Errorf("truncated key %q, key %d bytes: want it left out", v, len(dl.Key))
	}
	if v, _ := header(dl, pipeline.HeaderOriginOffset); v != "7" {
		t.Error("the failure headers must stay")
	}
}

func TestDeadLetter_errorHeaderBounded(t *testing.T) {
	f := failure
	f.Err = errors.New(strings.Repeat("é", 10000))
	dl := pipeline.DeadLetter("d", nil, nil, nil, f, 0)
	v, _ := header(dl, pipeline.HeaderError)
	if len(v) > pipeline.MaxErrorHeaderBytes || !strings.HasSuffix(v, "(cut)") || !strings.HasPrefix(v, "é") {
		t.Errorf("error header of %d bytes: want at most %d, cut on a rune", len(v), pipeline.MaxErrorHeaderBytes)
	}
}

func TestMarker(t *testing.T) {
	refusal := producer.ErrTooLarge
	mk := pipeline.Marker("d", []byte("k"), make([]byte, 9000), 3, failure, refusal)
	if mk.Value == nil || len(mk.Value) != 0 || string(mk.Key) != "k" {
		t.Errorf("marker key %q value %v: want the key and an empty (not null) value", mk.Key, mk.Value)
	}
	if v, _ := header(mk, pipeline.HeaderTruncatedValue); v != "9000" {
		t.Errorf("truncated value %q", v)
	}
	if v, _ := header(mk, pipeline.HeaderTruncatedHeaders); v != "3" {
		t.Errorf("truncated headers %q", v)
	}
	if v, _ := header(mk, pipeline.HeaderError); !strings.Contains(v, "dead letter refused") || !strings.Contains(v, "boom") {
		t.Errorf("error header %q: want the refusal and the cause", v)
	}
	v, _ := header(mk, pipeline.HeaderError)
	if !pipeline.IsMarker(mk.Value, []byte(v)) {
		t.Errorf("IsMarker is false for a marker (error %q)", v)
	}
	dl := pipeline.DeadLetter("d", []byte("k"), nil, nil, failure, 0)
	v, _ = header(dl, pipeline.HeaderError)
	if pipeline.IsMarker(dl.Value, []byte(v)) {
		t.Errorf("IsMarker is true for a dead letter with no value (error %q)", v)
	}
}

// Whatever the record, its dead letter fits the limit (when the failure
// headers alone do), keeps the failure headers once each, and carries no
// karafka.* header of the input's under its own name.
func FuzzDeadLetter(f *testing.F) {
	f.Add([]byte("k"), []byte("value"), "karafka.origin.topic", []byte("x"), 3, 2000, "boom")
	f.Add([]byte(nil), make([]byte, 100000), "h", make([]byte, 5000), 7, 1<<20, "")
	f.Fuzz(func(t *testing.T, key, value []byte, hk string, hv []byte, n, limit int, errText string) {
		var in []producer.Header
		for i := range n % 10 {
			in = append(in, producer.Header{Key: hk + strconv.Itoa(i%2), Value: hv})
		}
		fl := failure
		fl.Err = errors.New(errText)
		floor := producer.Size(&producer.Message{Headers: pipeline.AppendDeadLetterHeaders(nil, fl)}) + 3*producer.HeaderSize(producer.Header{Key: pipeline.HeaderTruncatedHeaders, Value: make([]byte, 20)})
		if limit < floor || limit > 4<<20 {
			return
		}
		dl := pipeline.DeadLetter("d", key, value, in, fl, limit)
		if size := producer.Size(&dl); size > limit {
			t.Fatalf("size %d over %d", size, limit)
		}
		for _, k := range []string{pipeline.HeaderOriginTopic, pipeline.HeaderOriginOffset, pipeline.HeaderError, pipeline.HeaderAttempts, pipeline.HeaderStage} {
			if _, c := header(dl, k); c != 1 {
				t.Fatalf("header %s present %d times", k, c)
			}
		}
		if v, _ := header(dl, pipeline.HeaderOriginTopic); v != "in" {
			t.Fatalf("origin topic %q", v)
		}
		if len(dl.Value) > 0 && string(dl.Value) != string(value[:len(dl.Value)]) {
			t.Fatal("the kept value is not the start of the record's")
		}
	})
}
