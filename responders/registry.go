package responders

import (
	"fmt"
	"slices"
	"sync"
)

// Factory creates a Responder, one per response or a shared one.
type Factory func() Responder

// Registry maps responder names to factories. It is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{factories: make(map[string]Factory)}
}

// Register adds f under name. An empty name or a nil factory wraps
// ErrInvalidRegistration; a name already taken wraps ErrDuplicateResponder.
func (r *Registry) Register(name string, f Factory) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalidRegistration)
	}
	if f == nil {
		return fmt.Errorf("%w: nil factory for %q", ErrInvalidRegistration, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.factories[name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateResponder, name)
	}
	r.factories[name] = f
	return nil
}

// Lookup returns the factory registered under name.
func (r *Registry) Lookup(name string) (Factory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.factories[name]
	return f, ok
}

// ForController looks up the responder ResponderNameFor(controllerName)
// names, and returns that name too so a miss can say what was tried.
func (r *Registry) ForController(controllerName string) (Factory, string, bool) {
	name := ResponderNameFor(controllerName)
	f, ok := r.Lookup(name)
	return f, name, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	r.mu.RUnlock()
	slices.Sort(names)
	return names
}
