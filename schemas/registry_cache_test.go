package schemas_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
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
