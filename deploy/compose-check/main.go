// Command compose-check loads docker-compose.yml the way `docker compose` does
// (compose-go, the Compose specification's reference loader: schema
// validation, interpolation, merging of anchors, dependency checks) and checks
// that every file the stack mounts or builds from exists in the repository.
// CI runs it (deploy/check-compose.sh); there is no Docker engine there.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <docker-compose.yml>")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions([]string{file}, cli.WithName("order-engine"), cli.WithWorkingDirectory(filepath.Dir(file)))
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}

	var problems []string
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		if service.Build != nil {
			dockerfile := service.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			problems = append(problems, missing(name, "build file", filepath.Join(service.Build.Context, dockerfile))...)
		}
		for _, volume := range service.Volumes {
			if volume.Type == types.VolumeTypeBind {
				problems = append(problems, missing(name, "bind mount", volume.Source)...)
			}
		}
		if service.Image == "" && service.Build == nil {
			problems = append(problems, fmt.Sprintf("%s: neither an image nor a build", name))
		}
		fmt.Printf("%-36s %s\n", name, describe(service))
	}
	for name, config := range project.Configs {
		if config.File != "" {
			problems = append(problems, missing("configs."+name, "file", config.File)...)
		}
	}
	if len(problems) > 0 {
		for _, problem := range problems {
			fmt.Fprintln(os.Stderr, problem)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: %d services valid\n", filepath.Base(file), len(project.Services))
}

func describe(service types.ServiceConfig) string {
	image := service.Image
	if service.Build != nil {
		image += " (built here)"
	}
	ports := ""
	for _, port := range service.Ports {
		ports += fmt.Sprintf(" %s->%d", port.Published, port.Target)
	}
	return image + ports
}

func missing(owner, what, path string) []string {
	if _, err := os.Stat(path); err != nil {
		return []string{fmt.Sprintf("%s: %s %s does not exist", owner, what, path)}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "docker-compose.yml is not valid:", err)
	os.Exit(1)
}
