package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteConfigYAML writes every configuration key with its default value and
// documentation as a commented YAML file (configs/karafka.yaml is this output).
func WriteConfigYAML(w io.Writer, name string) error {
	s := DefaultSettings(name)
	bw := bufio.NewWriter(w)
	bw.WriteString(`# karafka-actors configuration: every key, with its default.
#
# Precedence: defaults < this file (--config FILE or $KARAFKA_CONFIG)
#   < environment: KARAFKA_ + the key in upper case with dots as underscores
#     (kafka.brokers -> KARAFKA_KAFKA_BROKERS=a:9092,b:9092)
#   < flags: --set key=value (repeatable), --brokers, --log-level, --log-format.
# Durations are Go duration strings: "250ms", "30s", "1m".
# Unknown keys and invalid values are errors naming the key (exit status 2).
`)
	section := ""
	for _, k := range schema {
		parts := strings.Split(k.name, ".")
		prefix := strings.Join(parts[:len(parts)-1], ".")
		if prefix != section {
			// Open every section level that changes.
			old := strings.Split(section, ".")
			if section == "" {
				old = nil
			}
			cur := parts[:len(parts)-1]
			common := 0
			for common < len(old) && common < len(cur) && old[common] == cur[common] {
				common++
			}
			for i := common; i < len(cur); i++ {
				if i == 0 {
					bw.WriteString("\n")
				}
				fmt.Fprintf(bw, "%s%s:\n", strings.Repeat("  ", i), cur[i])
			}
			section = prefix
		}
		indent := strings.Repeat("  ", len(parts)-1)
		fmt.Fprintf(bw, "%s# %s\n", indent, k.doc)
		fmt.Fprintf(bw, "%s%s: %s\n", indent, parts[len(parts)-1], yamlValue(&s, k))
	}
	return bw.Flush()
}
