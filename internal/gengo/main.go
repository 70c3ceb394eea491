package main

import (
	"context"
	"flag"
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

func main() {
	file := flag.String("file", "", "the .proto file to generate Go code for")
	registered := flag.String("registered", "", "its path in the generated code's registry")
	flag.Parse()
	if *file == "" || *registered == "" {
		log.Fatal("gengo: -file and -registered are required")
	}
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: func(name string) (io.ReadCloser, error) {
				if name != *registered {
					return nil, os.ErrNotExist
				}
				return os.Open(*file)
			},
		}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	files, err := c.Compile(context.Background(), *registered)
	if err != nil {
		log.Fatal(err)
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{*registered},
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
