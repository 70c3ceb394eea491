//go:build ignore

// gen.go writes record.pb.go from record.proto as protoc-gen-go would,
// compiling with protocompile instead of protoc.
package main

import (
	"context"
	"io"
	"log"
	"os"
	"path"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// registered is record.proto's path in the generated code's registry: one
// no other package registers.
const registered = "karafka-actors/bench/record.proto"

func main() {
	c := protocompile.Compiler{
		Resolver: &protocompile.SourceResolver{
			Accessor: func(name string) (io.ReadCloser, error) {
				if name != registered {
					return nil, os.ErrNotExist
				}
				return os.Open("record.proto")
			},
		},
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	files, err := c.Compile(context.Background(), registered)
	if err != nil {
		log.Fatal(err)
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{registered},
		Parameter:      proto.String("paths=source_relative"),
		ProtoFile:      []*descriptorpb.FileDescriptorProto{protodesc.ToFileDescriptorProto(files[0])},
	}
	plugin, err := protogen.Options{}.New(req)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range plugin.Files {
		if f.Generate {
			internal_gengo.GenerateFile(plugin, f)
		}
	}
	res := plugin.Response()
	if res.Error != nil {
		log.Fatal(res.GetError())
	}
	for _, f := range res.File {
		if err := os.WriteFile(path.Base(f.GetName()), []byte(f.GetContent()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
