package actors

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"
)

// exported is this package's exported surface, each name with who needs
// it. Users declare routes and read failures through the root package
// (karafka), which aliases what they see; this package exports only what
// the root package, ops and karafkatest use. A name added here needs such
// a user.
var exported = map[string]string{
	"New":                        "karafka.App.Run starts the runtime",
	"Config":                     "karafka.App.Run",
	"Sender":                     "New's producer (karafka passes *producer.Producer)",
	"TxnProducer":                "TransactionConfig.NewProducer (karafka makes transactional producers)",
	"TransactionConfig":          "karafka.App.Run, karafka.Config",
	"DefaultTransactionConfig":   "karafka.DefaultConfig",
	"TransactionConfig.Validate": "karafka.Config.Validate",
	"ConsumerConfig":             "karafka.ConsumerConfig (Config.Consumer)",
	"DefaultConsumerConfig":      "karafka.DefaultConfig",
	"ConsumerConfig.Validate":    "karafka.Config.Validate",
	"Runtime":                    "karafka.App",
	"Runtime.Start":              "karafka.App.Run",
	"Runtime.Stop":               "karafka.App.Run (drain)",
	"Runtime.Fatal":              "karafka.App.Run (supervision gave up)",
	"Runtime.State":              "karafka.App.State",
	"State":                      "karafka.App.State",
	"GroupState":                 "karafka.GroupState (ops' probes and /api/state)",
	"PartitionState":             "karafka.PartitionState (ops' /api/state and metrics)",
	"ErrUndone":                  "karafka.ErrUndone",
	"UndoneError":                "karafka.UndoneError",
	"UndoneError.Error":          "error",
	"UndoneError.Unwrap":         "error",
	"UndoneError.Messages":       "karafka.UndoneError",
	"UndonePartition":            "karafka.UndonePartition",
	"ProcessingError":            "karafka.ProcessingError, ops' metrics, karafkatest's results",
	"ProcessingError.Error":      "error",
	"ProcessingError.Unwrap":     "error",
	"ErrRecordTooLarge":          "karafka.ErrRecordTooLarge",
	"ActorKind":                  "ops' karafka_actor_restarts_total label",
	"Runtime.PausePartition":     "karafka.App.PausePartition",
	"Runtime.ResumePartition":    "karafka.App.ResumePartition",
	"Runtime.SkipRecord":         "karafka.App.SkipRecord",
	"ErrNotHeld":                 "karafka.ErrNotHeld",
	"ErrNotFailing":              "karafka.ErrNotFailing",
	"ErrNoReason":                "karafka.ErrNoReason",
	"OperatorStage":              "karafka.StageOperator",
}

// The package exports what the root package, ops and karafkatest need
// and nothing else.
func TestExportedSurface(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var got []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					got = append(got, d.Name.Name)
					continue
				}
				recv := d.Recv.List[0].Type
				if s, ok := recv.(*ast.StarExpr); ok {
					recv = s.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
					got = append(got, id.Name+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							got = append(got, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								got = append(got, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(got)
	for _, name := range got {
		if _, ok := exported[name]; !ok {
			t.Errorf("%s is exported but not needed outside the package: unexport it, or say who needs it in exported", name)
		}
	}
	for name := range exported {
		if !slices.Contains(got, name) {
			t.Errorf("%s is in exported but not exported: remove it from the list", name)
		}
	}
}
