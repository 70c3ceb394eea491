package karafka_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/internal/testregistry"
	"github.com/karafka-actors/karafka-actors/schemas"
)

const (
	orderAvro = `{"type":"record","name":"Order","namespace":"shop","fields":[
 {"name":"id","type":"long"},{"name":"total","type":"double"},
 {"name":"note","type":["null","string"],"default":null}]}`
	confirmedAvro = `{"type":"record","name":"Confirmed","namespace":"shop","fields":[
 {"name":"order_id","type":"long"},{"name":"status","type":"string"}]}`
)

type order struct {
	ID    int64   `avro:"id"`
	Total float64 `avro:"total"`
	Note  *string `avro:"note"`
}

type confirmed struct {
	OrderID int64  `avro:"order_id"`
	Status  string `avro:"status"`
}

// schemaApp builds an app on brokers whose registry is at url, for a route
// in → out: Avro orders in, Avro confirmations out (order 3's response does
// not fit the schema).
func schemaApp(t *testing.T, brokers []string, url, in, out string, tune ...func(*karafka.Config)) *karafka.App {
	t.Helper()
	cfg := testConfig(t, brokers)
	for _, f := range tune {
		f(&cfg)
	}
	cfg.SchemaRegistry.URLs = []string{url}
	cfg.SchemaRegistry.Retries, cfg.SchemaRegistry.Backoff, cfg.SchemaRegistry.Timeout = 0, 0, 2*time.Second
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	app.Route(karafka.Route{
		Topic:  in,
		Parser: app.Schemas().Parser(schemas.Avro),
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				var o order
				if err := c.Params.Decode(&o); err != nil {
					return err
				}
				if o.ID == 3 {
					c.RespondWith(map[string]any{"order_id": o.ID}) // no status: does not fit
					return nil
				}
				c.RespondWith(confirmed{OrderID: o.ID, Status: "confirmed"})
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required(out).WithSchema(app.Schemas().TopicName().Register(schemas.Avro, confirmedAvro))},
				func(o *karafka.Output, args ...any) error {
					o.RespondTo(out, args[0])
					return nil
				})
		},
	})
	return app
}

// encodeOrders registers the order schema at url and encodes each order.
func encodeOrders(t *testing.T, url, topic string, ids ...int64) []string {
	t.Helper()
	cfg := schemas.DefaultConfig()
	cfg.URLs = []string{url}
	reg, err := schemas.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	s, err := reg.Register(context.Background(), topic+"-value", schemas.Avro, orderAvro)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		b, err := s.Encode(order{ID: id, Total: float64(id) * 1.5})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

// An Avro route with a schema-checked responder: valid orders are decoded
// and answered in Avro; a record with an unknown schema id, one with a
// wrong magic byte and one whose response does not fit the schema are
// dead-lettered with their reasons; every offset is committed.
func TestApp_avroRouteEndToEnd(t *testing.T) {
	t.Parallel()
	url := testregistry.URL(t)
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "orders"), testkafka.Name(t, "confirmed")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	good := encodeOrders(t, url, in, 1, 2, 3)
	unknownID := "\x00\x7f\xff\x30\x39" + good[0][5:] // id 2147430457: no registry here has it
	testkafka.Produce(t, brokers, in,
		testkafka.Record{Value: good[0]},
		testkafka.Record{Value: unknownID},
		testkafka.Record{Value: "\x07" + good[1][1:]},
		testkafka.Record{Value: good[1]},
		testkafka.Record{Value: good[2]})

	app := schemaApp(t, brokers, url, in, out)
	r := runApp(t, app)

	got := testkafka.ConsumeCommitted(t, brokers, out, 2, 30*time.Second)
	for i, m := range got {
		v, s, err := app.Schemas().Decode(context.Background(), m.Value)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		rec := v.(map[string]any)
		if rec["order_id"] != int64(i+1) || rec["status"] != "confirmed" || s.Subject != "" && s.Subject != out+"-value" {
			t.Errorf("response %d = %v (schema %d %q)", i, rec, s.ID, s.Subject)
		}
	}
	dead := testkafka.ConsumeCommitted(t, brokers, in+"_dlq", 3, 30*time.Second)
	for i, want := range []string{"schema id 2147430457", "magic byte 0x07", "does not fit the topic's schema"} {
		reason, _ := testkafka.Header(dead[i], karafka.HeaderError)
		if !strings.Contains(reason, want) {
			t.Errorf("dead letter %d: %s = %q, want it to say %q", i, karafka.HeaderError, reason, want)
		}
	}
	waitCommitted(t, brokers, app.Config().Name+"_"+in, in, 5)
	r.shutdown(t)
}

// A registry that is down holds a record whose schema was never read: it
// waits past retry.attempts, is never dead-lettered, and is answered once
// the registry is back.
func TestApp_registryOutageWaitsAndLosesNothing(t *testing.T) {
	t.Parallel()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "orders"), testkafka.Name(t, "confirmed")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	good := encodeOrders(t, fake.URL(), in, 1)
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: good[0]})

	var down atomic.Bool
	down.Store(true)
	var refused atomic.Int64
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if !down.Load() {
			return false
		}
		refused.Add(1)
		http.Error(w, `{"error_code":50001,"message":"registry restarting"}`, http.StatusServiceUnavailable)
		return true
	})
	app := schemaApp(t, brokers, fake.URL(), in, out)
	r := runApp(t, app)

	// retry.attempts is 3 in testConfig: waiting past it proves the
	// record is not spending tries.
	waitFor(t, 30*time.Second, "5 waits on the registry", func() bool { return len(r.rec.of(events.MessageBlocked)) >= 5 })
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Fatalf("%d dead letters during an outage", n)
	}
	b := r.rec.of(events.MessageBlocked)[0]
	if !strings.Contains(b.Err.Error(), "schema registry unavailable") || !strings.Contains(b.Err.Error(), "registry restarting") {
		t.Errorf("blocked because %v, want the registry named", b.Err)
	}
	down.Store(false)
	m := testkafka.ConsumeCommitted(t, brokers, out, 1, 30*time.Second)[0]
	var c confirmed
	if err := app.Schemas().Parser().Decode(m.Value, &c); err != nil || c.OrderID != 1 {
		t.Fatalf("response %+v, %v", c, err)
	}
	waitCommitted(t, brokers, app.Config().Name+"_"+in, in, 1)
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 || refused.Load() == 0 {
		t.Fatalf("%d dead letters, %d refused requests", n, refused.Load())
	}
}

// Shutting down while the registry is down: the waiting record is neither
// dead-lettered nor committed; Shutdown reports it undone, within its
// timeout, and the next start answers it.
func TestApp_shutdownDuringRegistryOutageLosesNothing(t *testing.T) {
	t.Parallel()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "orders"), testkafka.Name(t, "confirmed")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: encodeOrders(t, fake.URL(), in, 1)[0]})
	var down atomic.Bool
	down.Store(true)
	fake.Intercept(func(w http.ResponseWriter, _ *http.Request) bool {
		if down.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return true
		}
		return false
	})

	// The drain waits for the record up to consumer.drain_timeout, as for
	// any message in flight: the outage may end meanwhile.
	app := schemaApp(t, brokers, fake.URL(), in, out, func(c *karafka.Config) { c.Consumer.DrainTimeout = 2 * time.Second })
	r := runApp(t, app)
	waitFor(t, 30*time.Second, "the record waiting", func() bool { return len(r.rec.of(events.MessageBlocked)) >= 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	err := app.Shutdown(ctx)
	if !errors.Is(err, karafka.ErrUndone) {
		t.Fatalf("Shutdown = %v, want ErrUndone (the waiting record stays uncommitted)", err)
	}
	<-r.errc
	if took := time.Since(began); took > 15*time.Second {
		t.Errorf("Shutdown took %v", took)
	}
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
	if got := testkafka.Committed(t, brokers, app.Config().Name+"_"+in, in)[0]; got > 0 {
		t.Fatalf("committed %d before the record was answered", got)
	}

	down.Store(false)
	again := schemaApp(t, brokers, fake.URL(), in, out)
	r2 := runApp(t, again)
	testkafka.ConsumeCommitted(t, brokers, out, 1, 30*time.Second)
	waitCommitted(t, brokers, again.Config().Name+"_"+in, in, 1)
	r2.shutdown(t)
}

const (
	orderProto = `syntax = "proto3";
package shop;
message Order { int64 id = 1; double total = 2; repeated string items = 3; }
`
	confirmedProto = `syntax = "proto3";
package shop;
message Confirmed { int64 order_id = 1; string status = 2; int32 items = 3; }
`
)

// A Protobuf route end to end: records read through the registry's
// Protobuf schema (generic form, no generated code), responses written with
// another, checked before they are sent; a record of the Avro schema on the
// same topic is dead-lettered naming the wrong format.
func TestApp_protobufRouteEndToEnd(t *testing.T) {
	t.Parallel()
	url := testregistry.URL(t)
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "orders"), testkafka.Name(t, "confirmed")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")

	cfg := testConfig(t, brokers)
	cfg.SchemaRegistry.URLs = []string{url}
	app, err := karafka.New(cfg, karafka.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	reg := app.Schemas()
	order, err := reg.Register(context.Background(), in+"-value", schemas.Protobuf, orderProto)
	if err != nil {
		t.Fatal(err)
	}
	avro, err := reg.Register(context.Background(), in+"-avro", schemas.Avro, orderAvro)
	if err != nil {
		t.Fatal(err)
	}
	var recs []testkafka.Record
	for _, doc := range []string{`{"id":"1","total":10,"items":["a","b"]}`, `{"id":"2","total":3.5,"items":["c"]}`} {
		b, err := order.EncodeJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, testkafka.Record{Value: string(b)})
	}
	wrong, err := avro.Encode(order2avro(3))
	if err != nil {
		t.Fatal(err)
	}
	testkafka.Produce(t, brokers, in, recs[0], testkafka.Record{Value: string(wrong)}, recs[1])

	app.Route(karafka.Route{
		Topic:  in,
		Parser: reg.Parser(schemas.Protobuf),
		Controller: func() karafka.Controller {
			return karafka.ControllerFunc(func(c *karafka.Context) error {
				id, ok := c.Params.Int("id")
				items, _ := c.Params.Get("items")
				if !ok {
					return errors.New("no id")
				}
				c.RespondWith(map[string]any{"order_id": id, "status": "confirmed", "items": len(items.([]any))})
				return nil
			})
		},
		Responder: func() karafka.Responder {
			return karafka.NewResponder([]karafka.Topic{karafka.Required(out).WithSchema(reg.TopicName().Register(schemas.Protobuf, confirmedProto))},
				func(o *karafka.Output, args ...any) error {
					o.RespondTo(out, args[0])
					return nil
				})
		},
	})
	r := runApp(t, app)
	got := testkafka.ConsumeCommitted(t, brokers, out, 2, 30*time.Second)
	for i, m := range got {
		v, s, err := reg.Decode(context.Background(), m.Value)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		rec := v.(map[string]any)
		if s.Format != schemas.Protobuf || rec["order_id"] != int64(i+1) || rec["status"] != "confirmed" || rec["items"] != int64(2-i) {
			t.Errorf("response %d = %v (%s)", i, rec, s.Format)
		}
	}
	dead := testkafka.ConsumeCommitted(t, brokers, in+"_dlq", 1, 30*time.Second)[0]
	if reason, _ := testkafka.Header(dead, karafka.HeaderError); !strings.Contains(reason, "is avro, the route reads protobuf") {
		t.Errorf("dead letter reason %q", reason)
	}
	waitCommitted(t, brokers, app.Config().Name+"_"+in, in, 3)
	r.shutdown(t)
}

func order2avro(id int64) order { return order{ID: id, Total: 1} }

// Tries that waited out an outage spend none of the retry policy's
// attempts: a message that waited 5 times, then failed twice on its own,
// still gets its third try (retry.attempts is 3) and is answered, not
// dead-lettered.
func TestApp_outageTriesSpendNoAttempts(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	in, out := testkafka.Name(t, "in"), testkafka.Name(t, "out")
	testkafka.CreateTopics(t, brokers, 1, in, out, in+"_dlq")
	testkafka.Produce(t, brokers, in, testkafka.Record{Value: `{"id":1}`})
	var tries atomic.Int64
	ctrl := karafka.ControllerFunc(func(c *karafka.Context) error {
		switch n := tries.Add(1); {
		case n <= 5:
			return karafka.Outage(errors.New("database restarting"))
		case n <= 7:
			return errors.New("database warming up")
		}
		c.RespondWith(1)
		return nil
	})
	r := start(t, testConfig(t, brokers), karafka.Route{Topic: in, Controller: func() karafka.Controller { return ctrl }, Responder: echo(out)})
	testkafka.ConsumeCommitted(t, brokers, out, 1, 30*time.Second)
	r.shutdown(t)
	if n := len(r.rec.of(events.MessageDeadLettered)); n != 0 || tries.Load() != 8 {
		t.Fatalf("%d dead letters after %d tries, want none after 8", n, tries.Load())
	}
}
