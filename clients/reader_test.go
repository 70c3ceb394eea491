package clients_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
)

// eachReader runs f as a subtest per client library, each on brokers of
// its own (a fresh embedded broker, or KARAFKA_TEST_BROKERS).
func eachReader(t *testing.T, f func(t *testing.T, ctx context.Context, brokers []string, r client.Reader)) {
	for _, lib := range bothClients {
		t.Run(lib, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			brokers := testkafka.Brokers(t)
			c := testkafka.Config(brokers)
			c.Client = lib
			r, err := clients.NewReader(ctx, c)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			defer r.Close()
			f(t, ctx, brokers, r)
		})
	}
}

// producer is a kgo client that writes records to the partitions they
// name, with the timestamps they carry (now when zero).
func producer(t *testing.T, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	base, err := testkafka.Config(brokers).Franz()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(append(base, kgo.RecordPartitioner(kgo.ManualPartitioner())), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func produce(t *testing.T, ctx context.Context, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// values produces n records "v0".."vN-1" (keys "k0"..) to topic's partition.
func values(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, partition int32, n int) {
	t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Partition: partition, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i)}
	}
	produce(t, ctx, cl, recs...)
}

// offsets are the offsets of recs, and checks that each record names
// topic and partition.
func offsets(t *testing.T, recs []client.Record, topic string, partition int32) []int64 {
	t.Helper()
	out := []int64{}
	for _, r := range recs {
		if r.Topic != topic || r.Partition != partition {
			t.Errorf("record %d names %s/%d", r.Offset, r.Topic, r.Partition)
		}
		out = append(out, r.Offset)
	}
	return out
}

func rangeOf(from, to int64) []int64 {
	out := []int64{}
	for o := from; o < to; o++ {
		out = append(out, o)
	}
	return out
}

func TestReader_readsARange(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "range")
		testkafka.CreateTopics(t, brokers, 3, topic)
		values(t, ctx, producer(t, brokers), topic, 1, 10)

		ps, err := r.Partitions(ctx, topic)
		if err != nil || fmt.Sprint(ps) != "[0 1 2]" {
			t.Fatalf("Partitions = %v, %v; want [0 1 2]", ps, err)
		}
		if start, end, err := r.Bounds(ctx, topic, 1); err != nil || start != 0 || end != 10 {
			t.Fatalf("Bounds = %d, %d, %v; want 0, 10", start, end, err)
		}
		if start, end, err := r.Bounds(ctx, topic, 0); err != nil || start != 0 || end != 0 {
			t.Fatalf("Bounds of the empty partition = %d, %d, %v; want 0, 0", start, end, err)
		}
		for _, c := range []struct {
			offset int64
			max    int
			want   []int64
		}{
			{0, 100, rangeOf(0, 10)},
			{3, 4, rangeOf(3, 7)},
			{8, 5, rangeOf(8, 10)},
			{9, 1, rangeOf(9, 10)},
			{10, 5, rangeOf(0, 0)}, // at the end
			{99, 5, rangeOf(0, 0)}, // past it
			{-1, 2, rangeOf(0, 2)}, // below the start
			{0, 0, rangeOf(0, 0)},  // max 0
			{0, -1, rangeOf(0, 0)}, // and below
		} {
			recs, err := r.Read(ctx, topic, 1, c.offset, c.max)
			if err != nil {
				t.Fatalf("Read(%d, %d): %v", c.offset, c.max, err)
			}
			if got := offsets(t, recs, topic, 1); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("Read(%d, %d) = offsets %v, want %v", c.offset, c.max, got, c.want)
			}
			for _, rec := range recs {
				if string(rec.Key) != fmt.Sprintf("k%d", rec.Offset) || string(rec.Value) != fmt.Sprintf("v%d", rec.Offset) {
					t.Errorf("record %d: key %q value %q", rec.Offset, rec.Key, rec.Value)
				}
				if time.Since(rec.Timestamp) > time.Minute || time.Since(rec.Timestamp) < -time.Minute {
					t.Errorf("record %d: timestamp %v", rec.Offset, rec.Timestamp)
				}
			}
		}
		if recs, err := r.Read(ctx, topic, 0, 0, 10); err != nil || len(recs) != 0 {
			t.Errorf("Read of the empty partition = %v, %v", recs, err)
		}
	})
}

// Read never goes past the end the partition had when it began, and does
// not wait for more.
func TestReader_stopsAtTheEndItBeganWith(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "end")
		testkafka.CreateTopics(t, brokers, 1, topic)
		p := producer(t, brokers)
		values(t, ctx, p, topic, 0, 5)
		start := time.Now()
		recs, err := r.Read(ctx, topic, 0, 0, 100)
		if err != nil || len(recs) != 5 {
			t.Fatalf("Read = %d records, %v; want 5", len(recs), err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Read took %s", d)
		}
		values(t, ctx, p, topic, 0, 3)
		if recs, err := r.Read(ctx, topic, 0, 5, 100); err != nil || fmt.Sprint(offsets(t, recs, topic, 0)) != "[5 6 7]" {
			t.Fatalf("Read after more = %v, %v", offsets(t, recs, topic, 0), err)
		}
	})
}

// Records larger than what one fetch asks for are read across fetches,
// and one larger than a fetch's first size is read whole.
func TestReader_readsAcrossFetches(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "big")
		testkafka.CreateTopics(t, brokers, 1, topic)
		p := producer(t, brokers, kgo.ProducerBatchMaxBytes(4<<20), kgo.ProducerBatchCompression(kgo.NoCompression()))
		big := bytes.Repeat([]byte("x"), 300<<10)
		for i := range 8 { // one batch each: ProduceSync waits for each
			produce(t, ctx, p, &kgo.Record{Topic: topic, Value: append([]byte{byte('0' + i)}, big...)})
		}
		recs, err := r.Read(ctx, topic, 0, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := offsets(t, recs, topic, 0); fmt.Sprint(got) != fmt.Sprint(rangeOf(0, 8)) {
			t.Fatalf("offsets %v", got)
		}
		for i, rec := range recs {
			if len(rec.Value) != len(big)+1 || rec.Value[0] != byte('0'+i) {
				t.Errorf("record %d: %d bytes, first %q", i, len(rec.Value), rec.Value[:1])
			}
		}
	})
}

// An offset below the log start (records deleted) reads from the start.
func TestReader_offsetBelowTheStartReadsFromIt(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "deleted")
		testkafka.CreateTopics(t, brokers, 1, topic)
		p := producer(t, brokers)
		values(t, ctx, p, topic, 0, 10)
		del := kadm.Offsets{}
		del.Add(kadm.Offset{Topic: topic, Partition: 0, At: 4})
		res, err := kadm.NewClient(p).DeleteRecords(ctx, del)
		if err == nil {
			err = res.Error()
		}
		if err != nil {
			t.Fatalf("delete records: %v", err)
		}
		if start, end, err := r.Bounds(ctx, topic, 0); err != nil || start != 4 || end != 10 {
			t.Fatalf("Bounds = %d, %d, %v; want 4, 10", start, end, err)
		}
		recs, err := r.Read(ctx, topic, 0, 0, 3)
		if err != nil || fmt.Sprint(offsets(t, recs, topic, 0)) != "[4 5 6]" {
			t.Fatalf("Read(0, 3) = %v, %v; want [4 5 6]", offsets(t, recs, topic, 0), err)
		}
		if off, err := r.OffsetAt(ctx, topic, 0, time.Time{}); err != nil || off != 4 {
			t.Errorf("OffsetAt(zero time) = %d, %v; want 4", off, err)
		}
	})
}

// Keys, values and headers come back as written: binary, null, empty,
// duplicate header keys in order.
func TestReader_keepsKeysValuesAndHeaders(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "headers")
		testkafka.CreateTopics(t, brokers, 1, topic)
		binary := []byte{0xff, 0x00, 0xfe, 'k'}
		headers := []kgo.RecordHeader{{Key: "a", Value: []byte("1")}, {Key: "b", Value: binary}, {Key: "a", Value: []byte("2")}, {Key: "nil", Value: nil}}
		produce(t, ctx, producer(t, brokers),
			&kgo.Record{Topic: topic, Key: binary, Value: []byte("v"), Headers: headers},
			&kgo.Record{Topic: topic, Key: nil, Value: nil},               // a tombstone
			&kgo.Record{Topic: topic, Key: []byte{}, Value: []byte{}},     // empty
			&kgo.Record{Topic: topic, Key: []byte("k"), Value: []byte{0}}, // one zero byte
		)
		recs, err := r.Read(ctx, topic, 0, 0, 10)
		if err != nil || len(recs) != 4 {
			t.Fatalf("Read = %d records, %v; want 4", len(recs), err)
		}
		if !bytes.Equal(recs[0].Key, binary) || string(recs[0].Value) != "v" {
			t.Errorf("record 0: key %x value %q", recs[0].Key, recs[0].Value)
		}
		var got []string
		for _, h := range recs[0].Headers {
			got = append(got, fmt.Sprintf("%s=%x(nil=%t)", h.Key, h.Value, h.Value == nil))
		}
		if want := "[a=31(nil=false) b=ff00fe6b(nil=false) a=32(nil=false) nil=(nil=true)]"; fmt.Sprint(got) != want {
			t.Errorf("headers %v, want %s", got, want)
		}
		if recs[1].Key != nil || recs[1].Value != nil {
			t.Errorf("tombstone: key %#v value %#v, want nil, nil", recs[1].Key, recs[1].Value)
		}
		if recs[2].Key == nil || len(recs[2].Key) != 0 || recs[2].Value == nil || len(recs[2].Value) != 0 {
			t.Errorf("empty: key %#v value %#v, want empty, not nil", recs[2].Key, recs[2].Value)
		}
		if !bytes.Equal(recs[3].Value, []byte{0}) || len(recs[1].Headers) != 0 {
			t.Errorf("record 3: value %#v", recs[3].Value)
		}
		// The records are the caller's: reading again gives equal records
		// that share nothing with the first.
		again, err := r.Read(ctx, topic, 0, 0, 1)
		if err != nil || len(again) != 1 {
			t.Fatal(again, err)
		}
		recs[0].Key[0], recs[0].Value[0], recs[0].Headers[0].Value[0] = 'x', 'x', 'x'
		if !bytes.Equal(again[0].Key, binary) || string(again[0].Value) != "v" || string(again[0].Headers[0].Value) != "1" {
			t.Errorf("records share memory")
		}
	})
}

func TestReader_offsetAt(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "time")
		testkafka.CreateTopics(t, brokers, 1, topic)
		t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
		var recs []*kgo.Record
		for i := range 3 {
			recs = append(recs, &kgo.Record{Topic: topic, Value: []byte("v"), Timestamp: t0.Add(time.Duration(i) * time.Minute)})
		}
		p := producer(t, brokers)
		for _, rec := range recs { // a batch each: a batch's offsets are found by its largest timestamp
			produce(t, ctx, p, rec)
		}
		got, err := r.Read(ctx, topic, 0, 0, 3)
		if err != nil || len(got) != 3 || !got[1].Timestamp.Equal(t0.Add(time.Minute)) {
			t.Fatalf("Read = %v, %v; want timestamps kept", got, err)
		}
		for _, c := range []struct {
			at   time.Time
			want int64
		}{
			{t0.Add(-time.Hour), 0},
			{t0, 0},
			{t0.Add(time.Millisecond), 1},
			{t0.Add(time.Minute), 1},
			{t0.Add(90 * time.Second), 2},
			{t0.Add(2 * time.Minute), 2},
			{t0.Add(2*time.Minute + time.Millisecond), 3}, // none: the end
			{time.Now().Add(time.Hour), 3},
			{time.Unix(-100, 0), 0}, // before 1970
		} {
			off, err := r.OffsetAt(ctx, topic, 0, c.at)
			if err != nil || off != c.want {
				t.Errorf("OffsetAt(%s) = %d, %v; want %d", c.at.Sub(t0), off, err, c.want)
			}
		}
	})
}

// Records of aborted transactions are read (read_uncommitted), the
// transaction markers are not, and a partition ending with a marker is
// read to its end without waiting.
func TestReader_abortedTransactionsIncludedMarkersNot(t *testing.T) {
	eachReader(t, func(t *testing.T, ctx context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "txn")
		testkafka.CreateTopics(t, brokers, 1, topic)
		p := producer(t, brokers, kgo.TransactionalID(testkafka.Name(t, "txid")))
		txn := func(commit kgo.TransactionEndTry, vals ...string) {
			if err := p.BeginTransaction(); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				produce(t, ctx, p, &kgo.Record{Topic: topic, Value: []byte(v)})
			}
			if err := p.EndTransaction(ctx, commit); err != nil {
				t.Fatal(err)
			}
		}
		txn(kgo.TryCommit, "c1", "c2")
		txn(kgo.TryAbort, "a1", "a2")
		txn(kgo.TryCommit, "c3")
		// Kafka writes the markers once it answered EndTxn.
		var end int64
		for deadline := time.Now().Add(10 * time.Second); end < 8 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var err error
			if _, end, err = r.Bounds(ctx, topic, 0); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		recs, err := r.Read(ctx, topic, 0, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		for _, rec := range recs {
			vals = append(vals, fmt.Sprintf("%d:%s", rec.Offset, rec.Value))
		}
		// Each transaction ends with a marker taking an offset.
		if want := "[0:c1 1:c2 3:a1 4:a2 6:c3]"; fmt.Sprint(vals) != want || end != 8 {
			t.Errorf("read %v up to end %d; want %s up to 8", vals, end, want)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Read took %s", d)
		}
		// From a marker on: the next record; from the last marker: none.
		if recs, err := r.Read(ctx, topic, 0, 2, 1); err != nil || len(recs) != 1 || recs[0].Offset != 3 {
			t.Errorf("Read(2, 1) = %v, %v; want offset 3", recs, err)
		}
		if recs, err := r.Read(ctx, topic, 0, 7, 10); err != nil || len(recs) != 0 {
			t.Errorf("Read(7, 10) = %v, %v; want none", recs, err)
		}
	})
}

// A topic or partition the cluster does not have is an error matching
// client.ErrUnknownTopicOrPartition that names it, reading the same on
// both clients.
func TestReader_unknownTopicOrPartition(t *testing.T) {
	brokers := testkafka.Brokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missing := testkafka.Name(t, "missing")
	exists := testkafka.Name(t, "exists")
	testkafka.CreateTopics(t, brokers, 1, exists)
	calls := map[string]func(client.Reader) error{
		"Partitions": func(r client.Reader) error { _, err := r.Partitions(ctx, missing); return err },
		"Bounds":     func(r client.Reader) error { _, _, err := r.Bounds(ctx, missing, 0); return err },
		"Read":       func(r client.Reader) error { _, err := r.Read(ctx, missing, 0, 0, 10); return err },
		"OffsetAt":   func(r client.Reader) error { _, err := r.OffsetAt(ctx, missing, 0, time.Now()); return err },
		"Read partition": func(r client.Reader) error {
			_, err := r.Read(ctx, exists, 7, 0, 10)
			if err != nil && !strings.Contains(err.Error(), exists+`" partition 7`) {
				return fmt.Errorf("does not name the partition: %w", err)
			}
			return err
		},
		"Bounds partition": func(r client.Reader) error { _, _, err := r.Bounds(ctx, exists, 7); return err },
	}
	readers := map[string]client.Reader{}
	for _, lib := range bothClients {
		c := testkafka.Config(brokers)
		c.Client = lib
		r, err := clients.NewReader(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		readers[lib] = r
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			msgs := map[string]string{}
			for lib, r := range readers {
				start := time.Now()
				err := call(r)
				if !errors.Is(err, client.ErrUnknownTopicOrPartition) || (!strings.Contains(err.Error(), missing) && !strings.Contains(err.Error(), exists)) {
					t.Fatalf("%s: err = %v, want ErrUnknownTopicOrPartition naming the topic", lib, err)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("%s: took %s", lib, d)
				}
				msgs[lib] = err.Error()
			}
			if msgs[kafka.ClientSarama] != msgs[kafka.ClientFranz] {
				t.Errorf("errors differ:\n sarama: %s\n  franz: %s", msgs[kafka.ClientSarama], msgs[kafka.ClientFranz])
			}
			t.Log(msgs[kafka.ClientSarama])
		})
	}
}

// A cluster that cannot be reached is an error wrapping
// client.ErrUnreachable that names the brokers, on both clients, promptly.
func TestReader_brokerDownNamesTheBrokers(t *testing.T) {
	for _, lib := range bothClients {
		t.Run(lib, func(t *testing.T) {
			c := testkafka.Config([]string{"127.0.0.1:1", "127.0.0.1:2"})
			c.Client = lib
			c.DialTimeout = time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			r, err := clients.NewReader(ctx, c)
			if err == nil {
				r.Close()
				t.Fatal("connected to no broker")
			}
			if !errors.Is(err, client.ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1,127.0.0.1:2") {
				t.Fatalf("err = %v, want ErrUnreachable naming the brokers", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			t.Log(err)
		})
	}
}

// Every call returns once its context ends.
func TestReader_honoursTheContext(t *testing.T) {
	eachReader(t, func(t *testing.T, _ context.Context, brokers []string, r client.Reader) {
		topic := testkafka.Name(t, "ctx")
		testkafka.CreateTopics(t, brokers, 1, topic)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.Read(ctx, topic, 0, 0, 10); !errors.Is(err, context.Canceled) {
			t.Errorf("Read: %v", err)
		}
		if _, err := r.Partitions(ctx, topic); !errors.Is(err, context.Canceled) {
			t.Errorf("Partitions: %v", err)
		}
		if _, err := r.OffsetAt(ctx, topic, 0, time.Now()); !errors.Is(err, context.Canceled) {
			t.Errorf("OffsetAt: %v", err)
		}
	})
}
