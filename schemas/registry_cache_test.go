package schemas_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/karafka-actors/karafka-actors/schemas"
)

// counted counts fake's requests whose method and path start as given
// (method "" is any), passing them on.
func counted(fake *srfake.Registry, method, path string) *atomic.Int64 {
	var n atomic.Int64
	fake.Intercept(func(_ http.ResponseWriter, req *http.Request) bool {
		if (method == "" || req.Method == method) && strings.HasPrefix(req.URL.Path, path) {
			n.Add(1)
		}
		return false
	})
	return &n
}

// A schema id just registered can be unknown (40403) to a registry
// follower that has not caught up: it is asked again, Config.Retries
// times Config.Backoff apart, before the record is dead-lettered. Asked
// once, it was dead-lettered, and the id was remembered as unknown for
// 10 s.
func TestRegistry_unknownIDAskedAgain(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	id, _, err := fake.RegisterSchema("users-value", sr.Schema{Schema: userAvro, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	asked := counted(fake, http.MethodGet, "/schemas/ids/")
	var lagging atomic.Int64
	lagging.Store(1)
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.HasPrefix(req.URL.Path, "/schemas/ids/") || lagging.Add(-1) < 0 {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
		return true
	})
	cfg := quickConfig(fake.URL())
	cfg.Retries = 2
	reg, _ := schemas.New(cfg)
	if _, err := reg.SchemaByID(context.Background(), id); err != nil || asked.Load() != 2 {
		t.Fatalf("an id the follower learns late: %v after %d requests", err, asked.Load())
	}

	// An id no registry has costs Retries+1 requests, then none for a
	// while.
	asked.Store(0)
	began := time.Now()
	if _, err := reg.SchemaByID(context.Background(), 4242); !errors.Is(err, schemas.ErrUnknownSchema) || asked.Load() != 3 {
		t.Fatalf("an unknown id: %v after %d requests", err, asked.Load())
	}
	if took := time.Since(began); took < 2*cfg.Backoff {
		t.Errorf("the unknown id's tries took %v, want Backoff (%v) apart", took, cfg.Backoff)
	}
	if _, err := reg.SchemaByID(context.Background(), 4242); !errors.Is(err, schemas.ErrUnknownSchema) || asked.Load() != 3 {
		t.Fatalf("the unknown id again: %v after %d requests", err, asked.Load())
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A subject's latest version, kept for a writer, outlives SubjectTTL while
// its refresh finds the registry down: the expired copy is served (and a
// warning logged once), and asked again on a later call. It was dropped:
// every response waited for the registry.
func TestRegistry_latestKeptThroughAnOutage(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	var down atomic.Bool
	fake.Intercept(func(w http.ResponseWriter, _ *http.Request) bool {
		if !down.Load() {
			return false
		}
		http.Error(w, "registry restarting", http.StatusServiceUnavailable)
		return true
	})
	asked := counted(fake, http.MethodGet, "/subjects/users-value/versions/")
	cfg := quickConfig(fake.URL())
	cfg.SubjectTTL = 20 * time.Millisecond
	var logs syncBuffer
	reg, _ := schemas.New(cfg, schemas.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	v1, err := reg.Register(ctx, "users-value", schemas.Avro, userAvro)
	if err != nil {
		t.Fatal(err)
	}
	w := reg.TopicName() // the subject's latest version
	if _, err := w.Encode("users", map[string]any{"id": 1}); err != nil {
		t.Fatal(err)
	}

	down.Store(true)
	for range 4 {
		time.Sleep(2 * cfg.SubjectTTL)
		s, err := reg.Latest(ctx, "users-value")
		if err != nil || s.ID != v1.ID {
			t.Fatalf("during the outage: Latest = %v, %v; want the expired copy of id %d", s, err, v1.ID)
		}
		if _, err := w.Encode("users", map[string]any{"id": 1}); err != nil {
			t.Fatalf("during the outage: Encode = %v", err)
		}
	}
	if n := strings.Count(logs.String(), "keeping the subject's latest version"); n != 1 {
		t.Errorf("%d warnings of the expired copy, want 1:\n%s", n, logs.String())
	}

	// Back: a later call asks again and finds the new version.
	v2, _, err := fake.RegisterSchema("users-value", sr.Schema{Schema: strings.Replace(userAvro, `"default":false}`, `"default":false},{"name":"n","type":"int","default":0}`, 1), Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	down.Store(false)
	before := asked.Load()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := reg.Latest(ctx, "users-value")
		if err == nil && s.ID == v2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the outage: Latest = %v, %v; want id %d", s, err, v2)
		}
		time.Sleep(cfg.SubjectTTL)
	}
	if asked.Load() == before {
		t.Fatal("the new version without a request")
	}
}

// Once a request finds the registry down (its retries spent), the
// requests of the next max(Backoff, 500ms) fail at once with that failure,
// saying it is remembered, without a request: a registry that is down is
// not asked by every partition for every record, each paying Retries x
// Backoff. Any answer clears it; a request its caller gave up on is not
// remembered. Each request went to the registry before.
func TestRegistry_failsFastWhileDown(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	slowID, _, err := fake.RegisterSchema("users-value", sr.Schema{Schema: userAvro, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	arrived, release, done := make(chan struct{}, 4), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(done) }) // before fake.Close
	asked := counted(fake, "", "/")
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		switch req.URL.Path {
		case "/schemas/ids/1": // slow, until released
			arrived <- struct{}{}
			select {
			case <-release:
			case <-done:
			}
		case "/schemas/ids/4": // slow, until the test ends
			arrived <- struct{}{}
			<-done
		case "/schemas/ids/2": // down
			http.Error(w, "registry restarting", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	cfg := quickConfig(fake.URL())
	cfg.Retries, cfg.Backoff = 0, 2*time.Second // remembered for 2s
	reg, _ := schemas.New(cfg)
	ctx := context.Background()

	// A caller that gives up is no outage.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := reg.SchemaByID(short, 4); !errors.Is(err, schemas.ErrUnavailable) {
		t.Fatalf("a lookup given up: %v", err)
	}
	<-arrived

	slow := make(chan error, 1)
	go func() {
		_, err := reg.SchemaByID(ctx, slowID)
		slow <- err
	}()
	<-arrived
	if _, err := reg.SchemaByID(ctx, 2); !errors.Is(err, schemas.ErrUnavailable) || strings.Contains(err.Error(), "remembered") {
		t.Fatalf("the registry down: %v", err)
	}
	n := asked.Load()
	began := time.Now()
	_, err = reg.SchemaByID(ctx, 3)
	wantWait(t, "right after", err, "remembered", "schema id 3", "registry restarting")
	if took := time.Since(began); asked.Load() != n || took > time.Second {
		t.Fatalf("right after: %d requests, %v", asked.Load()-n, took)
	}
	if err := reg.Parser().Check([]byte{0, 0, 0, 0, 3}); !errors.Is(err, schemas.ErrUnavailable) || asked.Load() != n {
		t.Fatalf("a record right after: %v, %d requests", err, asked.Load()-n)
	}

	// An answer clears it.
	close(release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SchemaByID(ctx, 3); !errors.Is(err, schemas.ErrUnknownSchema) || asked.Load() != n+1 {
		t.Fatalf("after an answer: %v, %d requests", err, asked.Load()-n)
	}
}

// A responder factory builds its topics' writers once per partition actor
// and after every restart: the registration is kept by the Registry, by
// subject, format, text and references, so that the registry is asked
// once. Each writer registered anew before.
func TestRegistry_registrationsKept(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	posted := counted(fake, http.MethodPost, "/subjects/")
	reg, _ := schemas.New(quickConfig(fake.URL()))
	factory := func() *schemas.Writer { return reg.TopicName().Register(schemas.Avro, userAvro) }
	var wg sync.WaitGroup
	for range 8 { // partitions, at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := factory().Encode("users", map[string]any{"id": 1}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for range 3 { // restarts
		if _, err := factory().Encode("users", map[string]any{"id": 1}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := reg.Register(context.Background(), "users-value", schemas.Avro, userAvro)
	if err != nil || posted.Load() != 1 {
		t.Fatalf("Register = %v; %d registrations, want 1", err, posted.Load())
	}
	// Another subject, text or format is another registration.
	if _, err := factory().Encode("accounts", map[string]any{"id": 1}); err != nil || posted.Load() != 2 {
		t.Fatalf("another subject: %v, %d registrations", err, posted.Load())
	}
	other, err := reg.Register(context.Background(), "users-value", schemas.Avro, strings.Replace(userAvro, `"default":false}`, `"default":false},{"name":"n","type":"int","default":0}`, 1))
	if err != nil || posted.Load() != 3 || other.ID == s.ID {
		t.Fatalf("another text: %v, %d registrations", err, posted.Load())
	}
	if _, err := reg.Register(context.Background(), "users-value", schemas.JSONSchema, `{"type":"object"}`); err != nil || posted.Load() != 4 {
		t.Fatalf("another format: %v, %d registrations", err, posted.Load())
	}
}

// A registration that failed is not kept: the next asks again.
func TestRegistry_failedRegistrationNotKept(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	var refuse atomic.Bool
	refuse.Store(true)
	posted := counted(fake, http.MethodPost, "/subjects/")
	fake.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		if req.Method != http.MethodPost || !refuse.Load() {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error_code":409,"message":"incompatible"}`))
		return true
	})
	reg, _ := schemas.New(quickConfig(fake.URL()))
	ctx := context.Background()
	if _, err := reg.Register(ctx, "users-value", schemas.Avro, userAvro); !errors.Is(err, schemas.ErrIncompatible) {
		t.Fatalf("refused: %v", err)
	}
	refuse.Store(false)
	if _, err := reg.Register(ctx, "users-value", schemas.Avro, userAvro); err != nil || posted.Load() != 2 {
		t.Fatalf("after the refusal: %v, %d registrations", err, posted.Load())
	}
}
