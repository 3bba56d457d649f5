import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { DatabaseMirror, MirroredDatabase } from '../database-mirror';
import { ToolboxImage } from '../toolbox-image';

/** The script that checks the toolbox image's tools against the stage's pins (buildspecs/toolbox.sh). */
export const TOOLBOX_SCRIPT = 'toolbox.sh';
/** The script that restores the mirrored databases and turns the scanners' updates off (buildspecs/mirror-db.sh). */
export const MIRROR_DB_SCRIPT = 'mirror-db.sh';

const EMBEDDED = path.join(__dirname, '..', '..', 'assets', 'buildspecs');

/**
 * The scripts a build runs first in its install phase for the toolbox image and the database mirror, in that
 * order (the tools are checked before the databases are restored); none without either, so that a stage
 * without them synthesizes the buildspec it always had.
 */
export function installScripts(options: { readonly toolbox: boolean; readonly databaseMirror: boolean }): string[] {
  const names = [...(options.toolbox ? [TOOLBOX_SCRIPT] : []), ...(options.databaseMirror ? [MIRROR_DB_SCRIPT] : [])];
  return names.map((name) => fs.readFileSync(path.join(EMBEDDED, name), 'utf8'));
}

/** What a scan stage's project takes from its toolbox image and database mirror. */
export interface OfflineBuild {
  readonly buildImage?: codebuild.IBuildImage;
  readonly installScripts: string[];
  readonly environmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
  /** Grants the project what the image pull and the mirror need (after the project exists). */
  readonly bind: (project: codebuild.PipelineProject) => void;
}

export interface OfflineBuildOptions {
  readonly toolbox?: ToolboxImage;
  readonly databaseMirror?: DatabaseMirror;
  /** The databases the stage's scanners read. */
  readonly databases?: MirroredDatabase[];
  /** The stage builds with Docker: toolbox.sh starts the daemon a custom image does not start by itself. */
  readonly dockerd?: boolean;
}

/** The findings a project built in the toolbox image raises, for that reason alone. */
export function acknowledgeToolboxImage(project: codebuild.Project): void {
  Validations.of(project).acknowledge({
    id: 'AwsSolutions-CB5',
    reason: 'The build runs in the factory\'s scanner toolbox image (toolbox/Dockerfile: CodeBuild\'s curated images lack the pinned scanners, '
      + 'and builds without internet access cannot install them), pulled by digest.',
  });
  Validations.of(project.role!).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken (the pull of the toolbox image by the service role) has no resource-level permission; '
      + 'the image\'s repository is the only one the role may pull from.',
  });
}

export function offlineBuild(_scope: Construct, options: OfflineBuildOptions): OfflineBuild {
  const toolbox = options.toolbox?.bind();
  const mirror = options.databaseMirror;
  const databases = options.databases ?? [];
  const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = mirror?.stageEnvironment(databases) ?? {};
  if (toolbox !== undefined) {
    environmentVariables.TOOLBOX = { value: 'true' };
    environmentVariables.TOOLBOX_IMAGE = { value: toolbox.imageUri };
    if (options.dockerd) environmentVariables.TOOLBOX_DOCKERD = { value: 'true' };
  }
  return {
    buildImage: toolbox?.buildImage,
    installScripts: installScripts({ toolbox: toolbox !== undefined, databaseMirror: mirror !== undefined }),
    environmentVariables,
    bind: (project) => {
      if (toolbox !== undefined) acknowledgeToolboxImage(project);
      mirror?.grantStageRead(project, databases);
    },
  };
}
