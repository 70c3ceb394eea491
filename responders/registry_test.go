package responders

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func nopFactory() Responder {
	return Func(nil, func(*Output, ...any) error { return nil })
}

func TestRegistry_register(t *testing.T) {
	r := NewRegistry()
	if err := r.Register("UsersResponder", nopFactory); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		regName  string
		f        Factory
		wantIs   error
		wantText string
	}{
		{name: "empty name", regName: "", f: nopFactory, wantIs: ErrInvalidRegistration, wantText: "empty name"},
		{name: "nil factory", regName: "X", f: nil, wantIs: ErrInvalidRegistration, wantText: `nil factory for "X"`},
		{name: "duplicate", regName: "UsersResponder", f: nopFactory, wantIs: ErrDuplicateResponder, wantText: `"UsersResponder"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Register(tt.regName, tt.f)
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Register = %v; want %v mentioning %s", err, tt.wantIs, tt.wantText)
			}
		})
	}
	if got := r.Names(); !slices.Equal(got, []string{"UsersResponder"}) {
		t.Fatalf("Names = %v after rejected registrations", got)
	}
}

func TestRegistry_forController(t *testing.T) {
	r := NewRegistry()
	_ = r.Register("UsersCreatedResponder", nopFactory)
	tests := []struct {
		controller string
		wantName   string
		wantOK     bool
	}{
		{controller: "UsersCreatedController", wantName: "UsersCreatedResponder", wantOK: true},
		{controller: "*main.UsersCreatedController", wantName: "UsersCreatedResponder", wantOK: true},
		{controller: "OrdersController", wantName: "OrdersResponder"},
	}
	for _, tt := range tests {
		t.Run(tt.controller, func(t *testing.T) {
			f, name, ok := r.ForController(tt.controller)
			if name != tt.wantName || ok != tt.wantOK || (f != nil) != tt.wantOK {
				t.Fatalf("ForController = %v, %q, %v", f != nil, name, ok)
			}
		})
	}
}

func TestRegistry_concurrentUse(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("R%dResponder", i)
			if err := r.Register(name, nopFactory); err != nil {
				t.Error(err)
			}
			r.Lookup(name)
			r.Names()
		})
	}
	wg.Wait()
	names := r.Names()
	if len(names) != 8 || !slices.IsSorted(names) {
		t.Fatalf("Names = %v", names)
	}
}
