package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/bench/cmd/karafka-bench/benchpb"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/schemas"
)

// The record's schemas hold the JSON record field for field: a record
// encoded with either decodes back to the same record, and its size is
// reported for the docs.
func TestSchemaImpls_recordRoundTrips(t *testing.T) {
	reg, err := startRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	want := benchRecord(123456, 0)
	t.Logf("json: %d B", len(payload(123456, 0)))
	for impl, f := range schemaImpls {
		t.Run(impl, func(t *testing.T) {
			if implFormat(impl+"/1ms") != f {
				t.Fatalf("implFormat(%q) = %v, want %v", impl+"/1ms", implFormat(impl+"/1ms"), f)
			}
			w := wire{format: f, reg: reg.client}
			enc, err := w.encoder("rt_" + impl)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := enc(want.ID, want.TS)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d B in the wire format", f, len(raw))
			var got any = &record{}
			if f == schemas.Protobuf {
				got = &benchpb.Record{}
			}
			if err := reg.client.Parser(f).Decode(raw, got); err != nil {
				t.Fatal(err)
			}
			if pb, ok := got.(*benchpb.Record); ok {
				got = record{ID: pb.Id, TS: pb.Ts, Seen: pb.Seen, Name: pb.Name, Email: pb.Email, Tags: pb.Tags, Premium: pb.Premium, Note: pb.Note}
			}
			g, _ := json.Marshal(got)
			if string(g) != string(payload(want.ID, want.TS)) {
				t.Errorf("decoded %s, want %s", g, payload(want.ID, want.TS))
			}
			if id, err := w.id(raw); err != nil || id != want.ID {
				t.Errorf("id = %d, %v; want %d", id, err, want.ID)
			}
			if _, err := jsonWire.id(raw); err == nil {
				t.Error("the JSON wire read a record in the registry's wire format")
			}
		})
	}
}

// Each schema implementation answers every record of a pre-filled topic
// once, in its format (verifyWire reads the responses with the registry
// and refuses another format).
func TestSchemaImpls_answerEveryRecordInTheirFormat(t *testing.T) {
	const n = 2000
	brokers := testkafka.Brokers(t)
	reg, err := startRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for impl, f := range schemaImpls {
		t.Run(impl, func(t *testing.T) {
			in, out := testkafka.Name(t, "sin"), testkafka.Name(t, "sout")
			testkafka.CreateTopics(t, brokers, 4, in, out)
			w := wire{format: f, reg: reg.client}
			if _, err := prefillWire(brokers, in, w, 0, n, nil); err != nil {
				t.Fatal(err)
			}
			wm, err := newWatermark(brokers, out)
			if err != nil {
				t.Fatal(err)
			}
			defer wm.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- runKarafka(ctx, workerSpec{Impl: impl, Brokers: brokers, In: []string{in}, Out: out,
					Group: testkafka.Name(t, "sg"), Registry: reg.URL(), format: f})
			}()
			deadline := time.Now().Add(60 * time.Second)
			for {
				s, err := wm.sum()
				if err != nil {
					t.Fatal(err)
				}
				if s >= n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d answered after 60s", s, n)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("runKarafka: %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("runKarafka did not stop")
			}
			v, err := verifyWire(brokers, out, w, n)
			if err != nil {
				t.Fatal(err)
			}
			if v.Unique != n || v.Duplicates != 0 {
				t.Errorf("out: %d unique, %d duplicates; want %d, 0", v.Unique, v.Duplicates, n)
			}
			if _, err := verifyWire(brokers, out, jsonWire, n); err == nil {
				t.Error("the responses read as plain JSON")
			}
		})
	}
}

// The latency and scale modes read and write JSON only: a schema
// implementation there is refused, not run against the wrong input.
func TestJSONOnly_refusesSchemaImpls(t *testing.T) {
	for _, impl := range []string{"karafka-avro", "karafka-jsonschema/1ms"} {
		if err := jsonOnly("latency", impl); err == nil {
			t.Errorf("jsonOnly(%q) = nil", impl)
		}
	}
	for _, impl := range []string{"karafka", "karafka-franz/5ms", "sarama"} {
		if err := jsonOnly("latency", impl); err != nil {
			t.Errorf("jsonOnly(%q) = %v", impl, err)
		}
	}
}
