package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// maxSchemaBody bounds a request's schema document, as srfake does.
const maxSchemaBody = 1 << 20

// maxReferenceDepth bounds how deep a schema's references are followed.
const maxReferenceDepth = 32

// compatHandler is srfake's handler with Avro compatibility checked on the
// compatibility and register endpoints (srfake answers every compatibility
// question with compatible and registers anything). Everything else, other
// formats included, goes to srfake as it came.
type compatHandler struct {
	fake  *srfake.Registry
	inner http.Handler
	// mu makes a check and the registration after it one step: two
	// registrations under a subject cannot both pass against the same
	// latest version.
	mu sync.Mutex
}

// what a checked request asks.
type checkKind int

const (
	checkLevel    checkKind = iota // POST /compatibility/subjects/{s}/versions: the versions the level names
	checkVersion                   // POST /compatibility/subjects/{s}/versions/{v}: that version
	checkRegister                  // POST /subjects/{s}/versions: as checkLevel, then register
)

func newCompatHandler(fake *srfake.Registry) http.Handler {
	h := &compatHandler{fake: fake, inner: fake.Handler()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", func(w http.ResponseWriter, req *http.Request) {
		h.serve(w, req, checkVersion)
	})
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions", func(w http.ResponseWriter, req *http.Request) {
		h.serve(w, req, checkLevel)
	})
	mux.HandleFunc("POST /subjects/{subject}/versions", func(w http.ResponseWriter, req *http.Request) {
		h.serve(w, req, checkRegister)
	})
	mux.Handle("/", h.inner)
	return mux
}

func (h *compatHandler) serve(w http.ResponseWriter, req *http.Request, kind checkKind) {
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxSchemaBody))
	if err != nil {
		writeRegistryError(w, http.StatusUnprocessableEntity, sr.ErrInvalidSchema.Code, err.Error())
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	var s sr.Schema
	if json.Unmarshal(body, &s) != nil || s.Type != sr.TypeAvro {
		// Not Avro, or not a schema document srfake would take: srfake
		// answers (and reports a malformed one its way).
		h.inner.ServeHTTP(w, req)
		return
	}
	subject := req.PathValue("subject")
	h.mu.Lock()
	defer h.mu.Unlock()
	newSchema, err := h.parse(s)
	if err != nil {
		writeRegistryError(w, http.StatusUnprocessableEntity, sr.ErrInvalidSchema.Code, "Invalid schema: "+err.Error())
		return
	}
	if kind == checkRegister && h.holds(req, subject, body) {
		h.inner.ServeHTTP(w, req) // already registered: its id, as a registry answers
		return
	}
	level := h.level(req, subject)
	versions, ok := h.versions(req, subject)
	switch {
	case kind == checkVersion:
		v, err := resolveVersion(req.PathValue("version"), versions)
		if err != nil {
			writeRegistryErr(w, err)
			return
		}
		if !ok {
			writeRegistryError(w, http.StatusNotFound, sr.ErrSubjectNotFound.Code, fmt.Sprintf("Subject '%s' not found.", subject))
			return
		}
		if v < 0 {
			writeRegistryError(w, http.StatusNotFound, sr.ErrVersionNotFound.Code, fmt.Sprintf("Version %s not found.", req.PathValue("version")))
			return
		}
		versions = []int{v}
	case !transitive(level) && len(versions) > 0:
		versions = versions[len(versions)-1:]
	}
	var messages []string
	if level != sr.CompatNone {
		messages = h.incompatibilities(subject, level, newSchema, versions)
	}
	if kind != checkRegister {
		writeRegistryJSON(w, http.StatusOK, compatResult{Is: len(messages) == 0, Messages: append([]string{}, messages...)})
		return
	}
	if len(messages) > 0 {
		writeRegistryError(w, http.StatusConflict, sr.ErrIncompatibleSchema.Code,
			fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q, details: [%s]", subject, strings.Join(messages, "; ")))
		return
	}
	h.inner.ServeHTTP(w, req)
}

// compatResult is the compatibility endpoints' answer.
type compatResult struct {
	Is       bool     `json:"is_compatible"`
	Messages []string `json:"messages"`
}

// incompatibilities checks the new schema against versions of subject as
// level says: one message per failure, none when compatible.
func (h *compatHandler) incompatibilities(subject string, level sr.CompatibilityLevel, newSchema avro.Schema, versions []int) []string {
	backward, forward := directions(level)
	var messages []string
	for _, v := range versions {
		ss, ok := h.fake.GetSchema(subject, v)
		if !ok {
			continue // deleted meanwhile
		}
		if ss.Type != sr.TypeAvro {
			messages = append(messages, fmt.Sprintf("version %d is %s, the new schema AVRO (%s)", v, ss.Type, level))
			continue
		}
		old, err := h.parse(ss.Schema)
		if err != nil {
			// Seeded or registered before it could be checked: nothing
			// to hold the new schema to.
			continue
		}
		// hamba's SchemaCompatibility caches every pair it saw: one per
		// check keeps the registry's memory flat.
		sc := avro.NewSchemaCompatibility()
		if backward {
			if err := sc.Compatible(newSchema, old); err != nil {
				messages = append(messages, fmt.Sprintf("the new schema cannot read what version %d wrote (%s): %v", v, level, err))
			}
		}
		if forward {
			if err := sc.Compatible(old, newSchema); err != nil {
				messages = append(messages, fmt.Sprintf("version %d cannot read what the new schema writes (%s): %v", v, level, err))
			}
		}
	}
	return messages
}

// directions says which way level checks: backward (the new schema reads
// old data), forward (old schemas read new data), or both.
func directions(level sr.CompatibilityLevel) (backward, forward bool) {
	switch level {
	case sr.CompatBackward, sr.CompatBackwardTransitive:
		return true, false
	case sr.CompatForward, sr.CompatForwardTransitive:
		return false, true
	case sr.CompatFull, sr.CompatFullTransitive:
		return true, true
	}
	return false, false
}

func transitive(level sr.CompatibilityLevel) bool {
	return level == sr.CompatBackwardTransitive || level == sr.CompatForwardTransitive || level == sr.CompatFullTransitive
}

// resolveVersion is the version path segment ("latest", -1 or a number) as
// a version of versions, or -1 when the subject has no such version.
func resolveVersion(s string, versions []int) (int, error) {
	n, err := strconv.Atoi(s)
	switch {
	case s == "latest" || (err == nil && n == -1):
		if len(versions) == 0 {
			return -1, nil
		}
		return versions[len(versions)-1], nil
	case err != nil || n < 1:
		return 0, registryError{http.StatusUnprocessableEntity, sr.ErrInvalidVersion.Code,
			fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", s)}
	}
	for _, v := range versions {
		if v == n {
			return n, nil
		}
	}
	return -1, nil
}

// parse parses an Avro schema and the schemas it references, in a cache
// of its own: an old and a new version name the same types.
func (h *compatHandler) parse(s sr.Schema) (avro.Schema, error) {
	cache := &avro.SchemaCache{}
	if err := h.parseReferences(s.References, cache, map[string]bool{}, 0); err != nil {
		return nil, err
	}
	return avro.ParseWithCache(s.Schema, "", cache)
}

func (h *compatHandler) parseReferences(refs []sr.SchemaReference, cache *avro.SchemaCache, seen map[string]bool, depth int) error {
	if depth > maxReferenceDepth {
		return fmt.Errorf("references nested deeper than %d", maxReferenceDepth)
	}
	for _, ref := range refs {
		if seen[ref.Name] {
			continue
		}
		seen[ref.Name] = true
		ss, ok := h.fake.GetSchema(ref.Subject, ref.Version)
		if !ok {
			return fmt.Errorf("reference %q: subject %q version %d not found", ref.Name, ref.Subject, ref.Version)
		}
		if err := h.parseReferences(ss.References, cache, seen, depth+1); err != nil {
			return err
		}
		if _, err := avro.ParseWithCache(ss.Schema.Schema, "", cache); err != nil {
			return fmt.Errorf("reference %q: %w", ref.Name, err)
		}
	}
	return nil
}

// holds reports whether subject has the schema of body already (srfake's
// POST /subjects/{subject}).
func (h *compatHandler) holds(req *http.Request, subject string, body []byte) bool {
	return h.ask(req, http.MethodPost, "/subjects/"+url.PathEscape(subject), body, nil) == http.StatusOK
}

// level is subject's compatibility level, the global one unless set.
func (h *compatHandler) level(req *http.Request, subject string) sr.CompatibilityLevel {
	var cfg struct {
		Level sr.CompatibilityLevel `json:"compatibilityLevel"`
	}
	if h.ask(req, http.MethodGet, "/config/"+url.PathEscape(subject), nil, &cfg) != http.StatusOK || cfg.Level == 0 {
		return sr.CompatBackward
	}
	return cfg.Level
}

// versions are subject's live versions, ascending; ok is false when the
// subject does not exist.
func (h *compatHandler) versions(req *http.Request, subject string) (versions []int, ok bool) {
	if h.ask(req, http.MethodGet, "/subjects/"+url.PathEscape(subject)+"/versions", nil, &versions) != http.StatusOK {
		return nil, false
	}
	return versions, true
}

// ask sends srfake a request of its REST API and decodes its answer into
// out: its status, or 0 when it could not be asked or answered.
func (h *compatHandler) ask(req *http.Request, method, path string, body []byte, out any) int {
	in, err := http.NewRequestWithContext(req.Context(), method, "http://registry"+path, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	in.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	rec := httptest.NewRecorder()
	h.inner.ServeHTTP(rec, in)
	if out != nil && rec.Code == http.StatusOK {
		if json.Unmarshal(rec.Body.Bytes(), out) != nil {
			return 0
		}
	}
	return rec.Code
}

// registryError is an answer in the registry's error form.
type registryError struct {
	status, code int
	message      string
}

func (e registryError) Error() string { return e.message }

func writeRegistryErr(w http.ResponseWriter, err error) {
	var re registryError
	if errors.As(err, &re) {
		writeRegistryError(w, re.status, re.code, re.message)
		return
	}
	writeRegistryError(w, http.StatusInternalServerError, sr.ErrStoreError.Code, err.Error())
}

func writeRegistryError(w http.ResponseWriter, status, code int, message string) {
	writeRegistryJSON(w, status, map[string]any{"error_code": code, "message": message})
}

func writeRegistryJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
