package schemas

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// Schema is one schema the registry holds, compiled.
type Schema struct {
	// ID is the registry's id of the schema, written in every payload.
	ID int
	// Subject and Version are set when the schema was looked up by subject.
	Subject string
	Version int
	Format  Format
	// Text is the schema as registered (Avro JSON, a .proto file, a JSON
	// Schema document).
	Text string
	// References are the schemas it imports, as the registry lists them.
	References []Reference

	codec codec
}

// Reference is a schema that another schema references by name (an Avro
// named type, a Protobuf import, a JSON Schema $ref), held under a subject
// and version.
type Reference struct {
	Name    string
	Subject string
	Version int
}

// Name is the schema's record (Avro) or first message (Protobuf) name,
// fully qualified, or its title (JSON Schema); "" when it has none.
func (s *Schema) Name() string { return s.codec.name() }

// Registry is a schema registry client that keeps what it learnt: schemas
// by id for good (an id's schema never changes), a subject's latest
// version for Config.SubjectTTL (and past it while the registry is down),
// and an id the registry did not know for unknownTTL (so a flood of
// records with unknown ids costs the registry Config.Retries + 1 requests
// per id, not as many per record). It is safe for concurrent use.
type Registry struct {
	cfg  Config
	cl   *sr.Client
	http *http.Client
	log  *slog.Logger

	mu       sync.Mutex
	byID     map[int]*pending
	unknown  map[int]time.Time
	subjects map[subjectKey]*pending
	// registered are the schemas Register registered (or is registering).
	registered map[registration]*pending
	down       error     // the outage that ended the last request, if it did
	downAt     time.Time // when
}

type subjectKey struct {
	subject string
	version int // -1: latest
}

// registration is what Register was asked to register.
type registration struct {
	subject string
	format  Format
	text    string
	refs    string // the references, one a line
}

func registrationOf(subject string, format Format, text string, refs []Reference) registration {
	var b strings.Builder
	for _, ref := range refs {
		fmt.Fprintf(&b, "%q %q %d\n", ref.Name, ref.Subject, ref.Version)
	}
	return registration{subject: subject, format: format, text: text, refs: b.String()}
}

// pending is a lookup in flight or done: done is closed once s or err is set.
type pending struct {
	done chan struct{}
	s    *Schema
	err  error
	at   time.Time
	// stale: s is a subject's latest version past SubjectTTL, kept as the
	// registry was down when it was asked again (and logged as such).
	stale bool
}

// unknownTTL is how long an id the registry did not know is not asked again.
const unknownTTL = 10 * time.Second

// maxUnknown bounds the remembered unknown ids.
const maxUnknown = 4096

// Option configures New.
type Option func(*options)

type options struct {
	log  *slog.Logger
	http *http.Client
}

// WithLogger logs retried requests to l (default: nothing).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithHTTPClient sends requests with c instead of a client made from the
// Config's timeout and TLS.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.http = c } }

// New returns a client of the registry cfg names. It validates cfg (the
// error wraps ErrInvalidConfig, naming each key) and connects to nothing.
func New(cfg Config, opts ...Option) (*Registry, error) {
	if !cfg.Enabled() {
		return nil, fmt.Errorf("%w: schema_registry.urls: no registry URL is set", ErrInvalidConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	srOpts := []sr.ClientOpt{sr.URLs(cfg.URLs...), sr.UserAgent("karafka-actors")}
	if o.http == nil {
		o.http = &http.Client{Timeout: cfg.Timeout}
	}
	srOpts = append(srOpts, sr.HTTPClient(o.http))
	if cfg.TLS.Enabled {
		tc, err := cfg.TLS.Load("schema_registry.tls")
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		srOpts = append(srOpts, sr.DialTLSConfig(tc))
	}
	if cfg.Username != "" {
		srOpts = append(srOpts, sr.BasicAuth(cfg.Username, cfg.Password))
	}
	cl, err := sr.NewClient(srOpts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return &Registry{cfg: cfg, cl: cl, http: o.http, log: o.log, byID: map[int]*pending{},
		unknown: map[int]time.Time{}, subjects: map[subjectKey]*pending{}, registered: map[registration]*pending{}}, nil
}

// Unconfigured is the registry of an application that configured none:
// its Usable reports ErrNotConfigured, so a route that reads or writes
// through it fails validation before anything starts, naming the key.
func Unconfigured() *Registry {
	return &Registry{byID: map[int]*pending{}, unknown: map[int]time.Time{}, subjects: map[subjectKey]*pending{},
		registered: map[registration]*pending{}, log: slog.New(slog.DiscardHandler)}
}

// Usable reports ErrNotConfigured for an Unconfigured registry, else nil.
// Routes check it (through their parser and responder topics) when they
// are validated.
func (r *Registry) Usable() error {
	if r.cl == nil {
		return ErrNotConfigured
	}
	return nil
}

// Close closes the connections to the registry that are idle. The registry
// stays usable: a later request connects again. The App calls it when Run
// returns.
func (r *Registry) Close() {
	if r.http != nil {
		r.http.CloseIdleConnections()
	}
}

// URLs are the registry's base URLs.
func (r *Registry) URLs() []string { return r.cfg.URLs }

// Client is the underlying franz-go registry client, for what this type
// does not cover.
func (r *Registry) Client() *sr.Client { return r.cl }

// SchemaByID returns the schema with id, compiled. Errors: ErrUnknownSchema
// (the registry has no such id, asked Config.Retries more times
// Config.Backoff apart, as a registry follower may learn an id late; the
// answer is then kept for 10 s), ErrInvalidSchema (it does not compile),
// ErrUnavailable (the registry could not be reached or failed, after
// Config.Retries; ctx ending counts as that too).
func (r *Registry) SchemaByID(ctx context.Context, id int) (*Schema, error) {
	r.mu.Lock()
	if p, ok := r.byID[id]; ok {
		r.mu.Unlock()
		return p.wait(ctx)
	}
	if at, ok := r.unknown[id]; ok && time.Since(at) < unknownTTL {
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: schema id %d (the registry's answer to a lookup %s ago, kept for %s)", ErrUnknownSchema, id, time.Since(at).Round(time.Millisecond), unknownTTL)
	}
	p := &pending{done: make(chan struct{})}
	r.byID[id] = p
	r.mu.Unlock()

	var ss sr.Schema
	err := r.callByID(ctx, fmt.Sprintf("schema id %d", id), func(ctx context.Context) (err error) {
		ss, err = r.cl.SchemaByID(ctx, id)
		return err
	})
	if err == nil {
		p.s, err = r.compile(ctx, sr.SubjectSchema{ID: id, Schema: ss})
	}
	r.settle(p, err, func() {
		delete(r.byID, id)
		if errors.Is(err, ErrUnknownSchema) {
			if len(r.unknown) >= maxUnknown {
				clear(r.unknown)
			}
			r.unknown[id] = time.Now()
		}
	})
	return p.s, err
}

// Latest returns subject's latest version, compiled, kept for
// Config.SubjectTTL, and past it while the registry cannot be asked again
// (it is then asked on every later call, and a warning logged once).
// Errors: ErrUnknownSubject, ErrInvalidSchema, ErrUnavailable.
func (r *Registry) Latest(ctx context.Context, subject string) (*Schema, error) {
	return r.version(ctx, subject, -1)
}

// Version returns version v of subject (-1: the latest), compiled.
func (r *Registry) Version(ctx context.Context, subject string, v int) (*Schema, error) {
	return r.version(ctx, subject, v)
}

func (r *Registry) version(ctx context.Context, subject string, v int) (*Schema, error) {
	k := subjectKey{subject, v}
	r.mu.Lock()
	prev, ok := r.subjects[k]
	if ok && (v >= 0 || !prev.expired(r.cfg.SubjectTTL)) {
		r.mu.Unlock()
		return prev.wait(ctx)
	}
	p := &pending{done: make(chan struct{})}
	r.subjects[k] = p
	r.mu.Unlock()

	var ss sr.SubjectSchema
	what := fmt.Sprintf("subject %q version %d", subject, v)
	if v < 0 {
		what = fmt.Sprintf("subject %q (latest version)", subject)
	}
	err := r.call(ctx, what, func(ctx context.Context) (err error) {
		ss, err = r.cl.SchemaByVersion(ctx, subject, v)
		return err
	})
	if err == nil {
		p.s, err = r.compile(ctx, ss)
	}
	if errors.Is(err, ErrUnavailable) && prev != nil && prev.s != nil {
		// The registry is down: the expired version serves until it is
		// back, asked again on a later call (it stays expired).
		if !prev.stale {
			r.log.Warn("schema registry unavailable: keeping the subject's latest version past schema_registry.subject_ttl until the registry answers",
				"subject", subject, "version", prev.s.Version, "id", prev.s.ID, "age", time.Since(prev.at).Round(time.Millisecond), "error", err)
		}
		p.s, p.at, p.stale = prev.s, prev.at, true
		close(p.done)
		return p.s, nil
	}
	r.settle(p, err, func() { delete(r.subjects, k) })
	if err == nil {
		// The id's schema is the same one: keep it, compiled once.
		r.mu.Lock()
		if _, ok := r.byID[p.s.ID]; !ok {
			done := &pending{done: make(chan struct{}), s: p.s, at: p.at}
			close(done.done)
			r.byID[p.s.ID] = done
		}
		r.mu.Unlock()
	}
	return p.s, err
}

// settle ends p with err; on failure forget runs under the lock, so the next
// lookup asks again.
func (r *Registry) settle(p *pending, err error, forget func()) {
	p.err, p.at = err, time.Now()
	if err != nil {
		p.s = nil
		r.mu.Lock()
		forget()
		r.mu.Unlock()
	}
	close(p.done)
}

func (p *pending) wait(ctx context.Context) (*Schema, error) {
	select {
	case <-p.done:
		return p.s, p.err
	case <-ctx.Done():
		return nil, unavailable{fmt.Errorf("%w: waiting for a lookup in flight: %w", ErrUnavailable, ctx.Err())}
	}
}

func (p *pending) expired(ttl time.Duration) bool {
	select {
	case <-p.done:
		return time.Since(p.at) >= ttl
	default:
		return false // in flight
	}
}

// compile compiles ss after fetching its references.
func (r *Registry) compile(ctx context.Context, ss sr.SubjectSchema) (*Schema, error) {
	format, err := formatOf(ss.Type)
	if err != nil {
		return nil, fmt.Errorf("%w: schema id %d: %w", ErrInvalidSchema, ss.ID, err)
	}
	s := &Schema{ID: ss.ID, Subject: ss.Subject, Version: ss.Version, Format: format, Text: ss.Schema.Schema}
	for _, ref := range ss.References {
		s.References = append(s.References, Reference(ref))
	}
	src := source{format: s.Format, text: s.Text}
	if err := r.references(ctx, ss.References, &src.refs, map[string]bool{}, 0); err != nil {
		return nil, err
	}
	cd, err := compile(src)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", ss.ID, err)
	}
	s.codec = cd
	return s, nil
}

// maxReferenceDepth bounds how deep references are followed.
const maxReferenceDepth = 32

// references appends the texts of refs and of what they reference,
// dependencies first, each name once.
func (r *Registry) references(ctx context.Context, refs []sr.SchemaReference, out *[]namedText, seen map[string]bool, depth int) error {
	if depth > maxReferenceDepth {
		return fmt.Errorf("%w: references nested deeper than %d", ErrInvalidSchema, maxReferenceDepth)
	}
	for _, ref := range refs {
		if seen[ref.Name] {
			continue
		}
		seen[ref.Name] = true
		var ss sr.SubjectSchema
		err := r.call(ctx, fmt.Sprintf("reference %q (subject %q version %d)", ref.Name, ref.Subject, ref.Version), func(ctx context.Context) (err error) {
			ss, err = r.cl.SchemaByVersion(ctx, ref.Subject, ref.Version)
			return err
		})
		if err != nil {
			return err
		}
		if err := r.references(ctx, ss.References, out, seen, depth+1); err != nil {
			return err
		}
		*out = append(*out, namedText{name: ref.Name, text: ss.Schema.Schema})
	}
	return nil
}

// prepare compiles text of format, with the texts of refs (and of what
// they reference) from the registry, before it is sent there: refs as the
// registry takes them, and the text compiled.
func (r *Registry) prepare(ctx context.Context, format Format, text string, refs []Reference) ([]sr.SchemaReference, codec, error) {
	srRefs := make([]sr.SchemaReference, len(refs))
	for i, ref := range refs {
		srRefs[i] = sr.SchemaReference(ref)
	}
	src := source{format: format, text: text}
	if err := r.references(ctx, srRefs, &src.refs, map[string]bool{}, 0); err != nil {
		return nil, nil, err
	}
	cd, err := compile(src)
	if err != nil {
		return nil, nil, err
	}
	return srRefs, cd, nil
}

// Register registers text of format under subject (or finds it there,
// when already registered) and returns it, compiled. The text is compiled
// first: one that does not compile is refused here (ErrInvalidSchema) and
// never reaches the registry. ErrIncompatible: the registry refused it as
// incompatible with the subject's versions.
//
// A registration is kept: the same subject, format, text and references
// registered again (a responder's writers are built once per partition,
// and again after every restart) return the same schema without asking
// the registry. One that failed is asked again.
func (r *Registry) Register(ctx context.Context, subject string, format Format, text string, refs ...Reference) (*Schema, error) {
	k := registrationOf(subject, format, text, refs)
	r.mu.Lock()
	if p, ok := r.registered[k]; ok {
		r.mu.Unlock()
		return p.wait(ctx)
	}
	p := &pending{done: make(chan struct{})}
	r.registered[k] = p
	r.mu.Unlock()
	var err error
	p.s, err = r.register(ctx, subject, format, text, refs)
	r.settle(p, err, func() { delete(r.registered, k) })
	return p.s, err
}

func (r *Registry) register(ctx context.Context, subject string, format Format, text string, refs []Reference) (*Schema, error) {
	srRefs, cd, err := r.prepare(ctx, format, text, refs)
	if err != nil {
		return nil, err
	}
	var ss sr.SubjectSchema
	err = r.call(ctx, fmt.Sprintf("register under subject %q", subject), func(ctx context.Context) (err error) {
		ss, err = r.cl.CreateSchema(ctx, subject, sr.Schema{Schema: text, Type: format.srType(), References: srRefs})
		return err
	})
	if err != nil {
		return nil, err
	}
	s := &Schema{ID: ss.ID, Subject: subject, Version: ss.Version, Format: format, Text: text, References: refs, codec: cd}
	r.mu.Lock()
	if _, ok := r.byID[s.ID]; !ok {
		p := &pending{done: make(chan struct{}), s: s, at: time.Now()}
		close(p.done)
		r.byID[s.ID] = p
	}
	delete(r.subjects, subjectKey{subject, -1})
	r.mu.Unlock()
	return s, nil
}

// Compatible asks the registry whether text of format may be registered
// under subject, against its latest version: nil when it may (or the
// subject has no version yet), ErrIncompatible with the registry's reasons
// when it may not. The text is compiled first (ErrInvalidSchema).
func (r *Registry) Compatible(ctx context.Context, subject string, format Format, text string, refs ...Reference) error {
	srRefs, _, err := r.prepare(ctx, format, text, refs)
	if err != nil {
		return err
	}
	var res sr.CheckCompatibilityResult
	err = r.call(ctx, fmt.Sprintf("compatibility with subject %q", subject), func(ctx context.Context) (err error) {
		res, err = r.cl.CheckCompatibility(ctx, subject, -1, sr.Schema{Schema: text, Type: format.srType(), References: srRefs})
		return err
	})
	switch {
	case errors.Is(err, ErrUnknownSubject):
		return nil // nothing to be incompatible with
	case err != nil:
		return err
	case !res.Is:
		reasons := registryText(strings.Join(res.Messages, "; "))
		if reasons == "" {
			reasons = "the registry gave no reason"
		}
		return fmt.Errorf("%w %q: %s", ErrIncompatible, subject, reasons)
	}
	return nil
}

// Subjects lists the registry's subjects.
func (r *Registry) Subjects(ctx context.Context) ([]string, error) {
	var out []string
	err := r.call(ctx, "subjects", func(ctx context.Context) (err error) {
		out, err = r.cl.Subjects(ctx)
		return err
	})
	return out, err
}

// Versions lists subject's versions.
func (r *Registry) Versions(ctx context.Context, subject string) ([]int, error) {
	var out []int
	err := r.call(ctx, fmt.Sprintf("versions of subject %q", subject), func(ctx context.Context) (err error) {
		out, err = r.cl.SubjectVersions(ctx, subject)
		return err
	})
	return out, err
}
