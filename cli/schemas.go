package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/karafka-actors/karafka-actors/schemas"
)

// schemasFormats are the output formats of `schemas list --format` and
// `schemas show --format`.
var schemasFormats = []string{"text", "json"}

// schemaExtensions are the schema types a schema file's extension names
// when --type does not give one. A .json file is JSON Schema: an Avro
// schema in one needs --type avro.
var schemaExtensions = map[string]schemas.Format{
	".avsc":  schemas.Avro,
	".proto": schemas.Protobuf,
	".json":  schemas.JSONSchema,
}

// schemaType is the type (the language) of the schema file that fileFlag
// names: typ, the --type flag, when given, else the one file's extension
// names (see schemaExtensions).
func schemaType(fileFlag, file, typ string) (schemas.Format, error) {
	if typ != "" {
		f, err := schemas.ParseFormat(typ)
		if err != nil {
			return 0, fmt.Errorf("--type %q: want avro, protobuf or jsonschema", typ)
		}
		return f, nil
	}
	if f, ok := schemaExtensions[strings.ToLower(filepath.Ext(file))]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s %s: its extension does not say the schema's type (.avsc is avro, .proto protobuf, .json jsonschema): give --type avro, protobuf or jsonschema", fileFlag, file)
}

// registryFlag adds --registry, the shortcut for --set schema_registry.urls,
// to the commands that talk to a registry. It is not global as --brokers
// is: `broker --registry` serves one.
func (r *runner) registryFlag(f *pflag.FlagSet) {
	f.StringSliceVar(&r.registry, "registry", nil, "shortcut for --set schema_registry.urls=... (the schema registry's base `URL`)")
}

func (r *runner) schemasCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schemas",
		Short: "List, show, register and check the schemas of the schema registry",
		Long: `Read and write the schema registry that schema_registry.urls names (--registry URL
is a shortcut for --set schema_registry.urls=URL; schema_registry.username,
password and tls.* apply).

  list      every subject with its latest version, schema id and type
  show      a subject's version (SUBJECT [--version N|latest]) or a schema by id
            (--id ID): its id, version, type, references and text, pretty
  register  compile a schema file here, then register it under SUBJECT (an identical
            version already there is found, not added): prints its version and id
  check     ask the registry whether a schema file may be registered under SUBJECT,
            against its latest version: "compatible with subject SUBJECT", or
            exit 1 with the registry's reasons

A request the registry does not answer within schema_registry.timeout is tried
schema_registry.retries more times, schema_registry.backoff apart.

Exit status: 0; 1 when the registry cannot be reached, refuses, or lacks the
subject or id; 2 for usage or configuration errors (schema_registry.urls not set)
and for schema files that do not compile.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	r.registryFlag(cmd.PersistentFlags())
	cmd.AddCommand(r.schemasListCmd(), r.schemasShowCmd(), r.schemasRegisterCmd(), r.schemasCheckCmd())
	return cmd
}

func (r *runner) schemasListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the subjects with their latest version, schema id and type",
		Long: `List the registry's subjects, sorted, each with its latest version, that
version's schema id and its type (avro, protobuf, jsonschema).

  text  a table (default)
  json  a list of {"subject", "version", "id", "type"}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(schemasFormats, format) {
				return usageError("--format %q is not allowed (allowed: %s)", format, strings.Join(schemasFormats, ", "))
			}
			reg, s, err := r.openRegistry(cmd, "schemas list")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			subjects, err := reg.Subjects(ctx)
			if err != nil {
				return registryFailure(s, err)
			}
			slices.Sort(subjects)
			rows := []listedSchema{}
			for _, subject := range subjects {
				sch, err := describe(ctx, reg, s, subject, -1, 0, cmd.ErrOrStderr())
				if err != nil {
					return registryFailure(s, err)
				}
				rows = append(rows, listedSchema{Subject: subject, Version: sch.Version, ID: sch.ID, Format: sch.Format})
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeSafeJSON(out, rows)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SUBJECT\tVERSION\tID\tTYPE")
			for _, row := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", escapeField([]byte(row.Subject)), row.Version, row.ID, row.Format)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", strings.Join(schemasFormats, ", "))
	return cmd
}

func (r *runner) schemasShowCmd() *cobra.Command {
	var format, version string
	var id int
	cmd := &cobra.Command{
		Use:   "show (SUBJECT [--version N|latest] | --id ID)",
		Short: "Print a schema: its id, version, type, references and text",
		Long: `Print version N (default: the latest) of SUBJECT, or with --id the schema of
that id: its subject and version (by subject only), id, type, one
"reference: NAME=SUBJECT:VERSION" line per schema it references, then its
text, indented when it is JSON (Avro, JSON Schema).

  text  as above (default)
  json  {"subject", "version", "id", "type", "references": [{"name", "subject",
        "version"}], "schema"}, the schema as registered, in a string

A schema the registry holds that does not compile here (a reference gone, a
format this build lacks) is printed all the same, with a warning on stderr.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(schemasFormats, format) {
				return usageError("--format %q is not allowed (allowed: %s)", format, strings.Join(schemasFormats, ", "))
			}
			byID := cmd.Flags().Changed("id")
			switch {
			case byID && len(args) > 0:
				return usageError("give SUBJECT or --id ID, not both")
			case byID && cmd.Flags().Changed("version"):
				return usageError("--version picks a version of SUBJECT: --id names one schema already")
			case byID && id <= 0:
				return usageError("--id %d: want a schema id, 1 or more", id)
			case !byID && len(args) == 0:
				return usageError("give a SUBJECT (see `schemas list`) or --id ID")
			}
			v, err := parseVersion(version)
			if err != nil {
				return Exit(ExitUsage, err)
			}
			reg, s, err := r.openRegistry(cmd, "schemas show")
			if err != nil {
				return err
			}
			subject := ""
			if !byID {
				subject = args[0]
			}
			sch, err := describe(cmd.Context(), reg, s, subject, v, id, cmd.ErrOrStderr())
			if err != nil {
				return registryFailure(s, err)
			}
			if format == "json" {
				return writeSafeJSON(cmd.OutOrStdout(), sch)
			}
			return sch.write(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&version, "version", "latest", "the subject's version `N`, or latest")
	f.IntVar(&id, "id", 0, "the schema of this `ID` instead of a subject's")
	f.StringVarP(&format, "format", "f", "text", strings.Join(schemasFormats, ", "))
	return cmd
}

// schemaTypeHelp tells, in the help of the commands that read a schema
// file, how its type is found.
const schemaTypeHelp = `The schema's type (its language) is --type avro, protobuf or jsonschema;
without --type, FILE's extension tells it: .avsc avro, .proto protobuf, .json
jsonschema (.json means JSON Schema unless --type avro is given). Another
extension without --type is a usage error.`

// schemaFileFlags are the flags of the commands that read a schema file.
type schemaFileFlags struct {
	file, typ  string
	references []string
}

func (sf *schemaFileFlags) add(f *pflag.FlagSet) {
	f.StringVar(&sf.file, "file", "", "the schema `FILE`: .avsc (Avro), .proto (Protobuf), .json (JSON Schema), or another name with --type")
	f.StringVar(&sf.typ, "type", "", "the schema's `TYPE`: avro, protobuf or jsonschema (default: by FILE's extension, .avsc avro, .proto protobuf, .json jsonschema; give avro for an Avro .json)")
	f.StringArrayVar(&sf.references, "reference", nil, "a schema it references, `NAME=SUBJECT:VERSION` (repeatable); NAME is an Avro type's full name, a .proto import, a $ref")
}

// read checks the flags and reads and checks the file: every error is a
// usage error naming the flag or the file.
func (sf *schemaFileFlags) read() (schemas.Format, string, []schemas.Reference, error) {
	if sf.file == "" {
		return 0, "", nil, usageError("--file is required: the schema file to read")
	}
	format, err := schemaType("--file", sf.file, sf.typ)
	if err != nil {
		return 0, "", nil, Exit(ExitUsage, err)
	}
	refs, err := parseReferences(sf.references)
	if err != nil {
		return 0, "", nil, Exit(ExitUsage, err)
	}
	text, err := readSchemaFile(sf.file, format)
	if err != nil {
		return 0, "", nil, err
	}
	return format, text, refs, nil
}

func (r *runner) schemasRegisterCmd() *cobra.Command {
	var sf schemaFileFlags
	cmd := &cobra.Command{
		Use:   "register SUBJECT --file FILE [--type avro|protobuf|jsonschema] [--reference NAME=SUBJECT:VERSION]...",
		Short: "Compile a schema file and register it under SUBJECT; print its version and id",
		Long: `Compile the schema in FILE here (with the schemas its --reference flags name,
fetched from the registry), then register it under SUBJECT and print the
subject, version and id. A schema already registered under SUBJECT (the same
text) is found and printed, not added again. A file that does not compile is
refused before anything is sent to the registry, naming the file (and, for a
JSON document that does not parse, its line and column).

` + schemaTypeHelp + `

  karafka-actors schemas register orders-value --file order.avsc \
    --reference com.acme.Address=address-value:1
  karafka-actors schemas register orders-value --file order.json --type avro

Exit status: 0; 1 when the registry cannot be reached or refuses the schema
(incompatible with the subject's versions); 2 for usage or configuration
errors, a file that does not compile and a reference the registry lacks.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, text, refs, err := sf.read()
			if err != nil {
				return err
			}
			reg, s, err := r.openRegistry(cmd, "schemas register")
			if err != nil {
				return err
			}
			sch, err := reg.Register(cmd.Context(), args[0], format, text, refs...)
			if err != nil {
				return schemaFileFailure(s, sf.file, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "subject %s: version %d, id %d\n", escapeField([]byte(args[0])), sch.Version, sch.ID)
			return nil
		},
	}
	sf.add(cmd.Flags())
	return cmd
}

func (r *runner) schemasCheckCmd() *cobra.Command {
	var sf schemaFileFlags
	cmd := &cobra.Command{
		Use:   "check SUBJECT --file FILE [--type avro|protobuf|jsonschema] [--reference NAME=SUBJECT:VERSION]...",
		Short: "Ask the registry whether a schema file may be registered under SUBJECT",
		Long: `Compile the schema in FILE here, then ask the registry whether it may be
registered under SUBJECT, against the subject's latest version and the
subject's compatibility level. Prints "compatible with subject SUBJECT" (a
subject without versions accepts any schema); an incompatible schema exits 1
with the registry's reasons. Nothing is registered.

` + schemaTypeHelp + `

Exit status: 0 compatible; 1 incompatible, or the registry cannot be reached;
2 for usage or configuration errors, a file that does not compile (named, with
the line when known) and a reference the registry lacks.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, text, refs, err := sf.read()
			if err != nil {
				return err
			}
			reg, s, err := r.openRegistry(cmd, "schemas check")
			if err != nil {
				return err
			}
			if err := reg.Compatible(cmd.Context(), args[0], format, text, refs...); err != nil {
				return schemaFileFailure(s, sf.file, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "compatible with subject %s\n", escapeField([]byte(args[0])))
			return nil
		},
	}
	sf.add(cmd.Flags())
	return cmd
}

// openRegistry loads the settings and returns the client of the registry
// they name; without schema_registry.urls a usage error names the key.
func (r *runner) openRegistry(cmd *cobra.Command, what string) (*schemas.Registry, Settings, error) {
	s, err := r.settings(cmd)
	if err != nil {
		return nil, s, err
	}
	reg, err := r.registryOf(cmd, s, what)
	return reg, s, err
}

// registryOf returns the client of the registry s names; without
// schema_registry.urls a usage error names the key and says what needs it.
func (r *runner) registryOf(cmd *cobra.Command, s Settings, what string) (*schemas.Registry, error) {
	if !s.SchemaRegistry.Enabled() {
		return nil, usageError("%s needs a schema registry: schema_registry.urls is not set (give --registry URL, --set schema_registry.urls=URL, %sSCHEMA_REGISTRY_URLS or the key in the config file)", what, EnvPrefix)
	}
	reg, err := schemas.New(s.SchemaRegistry, schemas.WithLogger(newLogger(s, cmd.ErrOrStderr())))
	if err != nil {
		return nil, Exit(ExitUsage, err)
	}
	return reg, nil
}

// registryFailure is err of a registry request as the commands report it:
// an outage names the registry's URLs and how long it was tried (exit 1).
func registryFailure(s Settings, err error) error {
	if errors.Is(err, schemas.ErrUnavailable) {
		c := s.SchemaRegistry
		return Exit(ExitFailure, fmt.Errorf("schema registry %s (schema_registry.urls) unavailable, tried %d time(s) with a %s timeout: %w",
			strings.Join(c.URLs, ","), c.Retries+1, c.Timeout, err))
	}
	return Exit(ExitFailure, err)
}

// schemaFileFailure is err of registering or checking a schema file: a
// schema that does not compile (or that the registry found invalid) and a
// reference the registry lacks are usage errors naming the file.
func schemaFileFailure(s Settings, file string, err error) error {
	switch {
	case errors.Is(err, schemas.ErrUnavailable):
		return registryFailure(s, err)
	case errors.Is(err, schemas.ErrInvalidSchema), errors.Is(err, schemas.ErrUnknownSubject):
		return Exit(ExitUsage, fmt.Errorf("%s: %w", file, err))
	}
	return Exit(ExitFailure, err)
}

// maxSchemaFile bounds a schema file: a larger one is not a schema (and
// registries refuse requests far smaller).
const maxSchemaFile = 8 << 20

// readSchemaFile reads a schema file of format. A file of a JSON format
// (Avro, JSON Schema) that does not parse is refused naming its line and
// column: the compilers would not say where.
func readSchemaFile(path string, format schemas.Format) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageError("--file: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSchemaFile+1))
	if err != nil {
		return "", usageError("--file: %v", err)
	}
	if len(b) > maxSchemaFile {
		return "", usageError("%s: larger than %d MiB: not a schema", path, maxSchemaFile>>20)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", usageError("%s: empty: no schema", path)
	}
	if format == schemas.Avro || format == schemas.JSONSchema {
		var v any
		var serr *json.SyntaxError
		if err := json.Unmarshal(b, &v); errors.As(err, &serr) {
			line, col := position(b, serr.Offset-1) // Offset is just past the error
			return "", usageError("%s:%d:%d: not JSON (%s schemas are JSON documents): %v", path, line, col, format, err)
		}
	}
	return string(b), nil
}

// position is the 1-based line and column of byte offset off of b.
func position(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// parseReferences reads --reference NAME=SUBJECT:VERSION flags.
func parseReferences(flags []string) ([]schemas.Reference, error) {
	var refs []schemas.Reference
	for _, f := range flags {
		name, sv, ok := strings.Cut(f, "=")
		i := strings.LastIndexByte(sv, ':')
		if !ok || name == "" || i <= 0 {
			return nil, fmt.Errorf("--reference %q: want NAME=SUBJECT:VERSION (e.g. com.acme.Address=address-value:1)", f)
		}
		v, err := strconv.Atoi(sv[i+1:])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("--reference %q: version %q: want a version number, 1 or more", f, sv[i+1:])
		}
		refs = append(refs, schemas.Reference{Name: name, Subject: sv[:i], Version: v})
	}
	return refs, nil
}

// parseVersion reads --version: a number from 1, or latest (-1).
func parseVersion(s string) (int, error) {
	if strings.EqualFold(s, "latest") || s == "-1" {
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("--version %q: want a version number, 1 or more, or latest", s)
	}
	return v, nil
}

// listedSchema is a row of `schemas list`.
type listedSchema struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Format  string `json:"type"`
}

// shownSchema is what `schemas show` prints.
type shownSchema struct {
	Subject    string           `json:"subject,omitempty"`
	Version    int              `json:"version,omitempty"`
	ID         int              `json:"id"`
	Format     string           `json:"type"`
	References []shownReference `json:"references"`
	Schema     string           `json:"schema"`
}

type shownReference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

func shownOf(s *schemas.Schema) shownSchema {
	refs := make([]shownReference, len(s.References))
	for i, ref := range s.References {
		refs[i] = shownReference(ref)
	}
	return shownSchema{Subject: s.Subject, Version: s.Version, ID: s.ID, Format: s.Format.String(), References: refs, Schema: s.Text}
}

// shownRaw is a registry's answer that was not compiled.
func shownRaw(ss sr.SubjectSchema) shownSchema {
	format := strings.ToLower(ss.Type.String())
	if f, err := schemas.ParseFormat(format); err == nil {
		format = f.String()
	}
	refs := make([]shownReference, len(ss.References))
	for i, ref := range ss.References {
		refs[i] = shownReference(ref)
	}
	return shownSchema{Subject: ss.Subject, Version: ss.Version, ID: ss.ID, Format: format, References: refs, Schema: ss.Schema.Schema}
}

// describe looks up version v of subject, or the schema id when subject is
// "". A schema the registry holds that does not compile here (a format this
// build lacks, a reference deleted) is described from the registry's
// answer all the same, with a warning to warn: these commands show what the
// registry holds.
func describe(ctx context.Context, reg *schemas.Registry, s Settings, subject string, v, id int, warn io.Writer) (shownSchema, error) {
	var sch *schemas.Schema
	var err error
	if subject == "" {
		sch, err = reg.SchemaByID(ctx, id)
	} else {
		sch, err = reg.Version(ctx, subject, v)
	}
	if err == nil {
		return shownOf(sch), nil
	}
	if !errors.Is(err, schemas.ErrInvalidSchema) || errors.Is(err, schemas.ErrUnavailable) {
		return shownSchema{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, max(s.SchemaRegistry.Timeout, time.Second))
	defer cancel()
	var ss sr.SubjectSchema
	var rerr error
	if subject == "" {
		ss.ID = id
		ss.Schema, rerr = reg.Client().SchemaByID(ctx, id)
	} else {
		ss, rerr = reg.Client().SchemaByVersion(ctx, subject, v)
	}
	if rerr != nil {
		return shownSchema{}, err
	}
	fmt.Fprintf(warn, "warning: %s\n", escapeText(err.Error()))
	return shownRaw(ss), nil
}

// write prints s as `schemas show` does without --format json.
func (s shownSchema) write(w io.Writer) error {
	var b bytes.Buffer
	if s.Subject != "" {
		fmt.Fprintf(&b, "subject: %s\nversion: %d\n", escapeField([]byte(s.Subject)), s.Version)
	}
	fmt.Fprintf(&b, "id: %d\ntype: %s\n", s.ID, s.Format)
	for _, ref := range s.References {
		fmt.Fprintf(&b, "reference: %s\n", escapeField([]byte(fmt.Sprintf("%s=%s:%d", ref.Name, ref.Subject, ref.Version))))
	}
	b.WriteByte('\n')
	text := s.Schema
	var indented bytes.Buffer
	if json.Indent(&indented, []byte(text), "", "  ") == nil {
		text = indented.String()
	}
	b.WriteString(escapeText(strings.TrimRight(text, "\r\n")))
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// writeSafeJSON writes v as indented JSON in which no character that is
// not printable is left unescaped (see safeJSON).
func writeSafeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(safeJSON(b.Bytes()))
	return err
}
