package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// ServeTopics serves api/topics: the JSON array of Topics. A failure to
// read the cluster is 502 with a JSON {"error": "..."}.
func (e *Explorer) ServeTopics(w http.ResponseWriter, r *http.Request) {
	if !exploreGetOnly(w, r) {
		return
	}
	topics, err := e.Topics(r.Context())
	if err != nil {
		exploreError(w, exploreStatus(err), err.Error())
		return
	}
	exploreJSON(w, http.StatusOK, topics)
}

// ServeRecords serves api/records: a RecordsPage as JSON, for the query
// parameters topic (required), partition (default 0), offset or time
// (RFC 3339; neither: the partition's last records) and limit (1 to
// MaxLimit, default DefaultLimit). A bad parameter is 400, a topic that
// is not the explorer's or that the cluster does not have (or a
// partition it does not have) 404, a failure to read the cluster 502;
// each with a JSON {"error": "..."} that names the parameter or topic.
func (e *Explorer) ServeRecords(w http.ResponseWriter, r *http.Request) {
	if !exploreGetOnly(w, r) {
		return
	}
	q, err := recordsQuery(r)
	if err != nil {
		exploreError(w, http.StatusBadRequest, err.Error())
		return
	}
	page, err := e.Records(r.Context(), q)
	if err != nil {
		exploreError(w, exploreStatus(err), err.Error())
		return
	}
	exploreJSON(w, http.StatusOK, page)
}

// recordsQuery is the Query of r's parameters; its error names the one that
// is wrong.
func recordsQuery(r *http.Request) (Query, error) {
	v := r.URL.Query()
	q := Query{Topic: v.Get("topic"), Offset: -1, Limit: DefaultLimit}
	if q.Topic == "" {
		return Query{}, errors.New("topic: required")
	}
	if s := v.Get("partition"); s != "" {
		p, err := strconv.ParseInt(s, 10, 32)
		if err != nil || p < 0 {
			return Query{}, fmt.Errorf("partition: %q is not a partition number", s)
		}
		q.Partition = int32(p)
	}
	offset, at := v.Get("offset"), v.Get("time")
	if offset != "" && at != "" {
		return Query{}, errors.New("time: give offset or time, not both")
	}
	if offset != "" {
		o, err := strconv.ParseInt(offset, 10, 64)
		if err != nil || o < 0 {
			return Query{}, fmt.Errorf("offset: %q is not an offset (0 or more)", offset)
		}
		q.Offset = o
	}
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return Query{}, fmt.Errorf("time: %q is not an RFC 3339 time (2006-01-02T15:04:05Z)", at)
		}
		q.Time = t
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return Query{}, fmt.Errorf("limit: %q is not a number from 1 to %d", s, MaxLimit)
		}
		q.Limit = n
	}
	return q, nil
}

// exploreStatus is the HTTP status of an explorer's error.
func exploreStatus(err error) int {
	switch {
	case errors.Is(err, ErrUnknownTopic), errors.Is(err, client.ErrUnknownTopicOrPartition):
		return http.StatusNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadGateway // Kafka failed us
	}
}

// exploreGetOnly answers a request that is not a GET (or HEAD) with 405, and
// reports whether r is one.
func exploreGetOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	exploreError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed: GET")
	return false
}

func exploreJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		exploreError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func exploreError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
