package dev.trainyard.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Moves files between the local disk and a run's (or experiment's) artifact root, whatever its
 * scheme: {@code mlflow-artifacts:} through the tracking server, {@code s3://} with the AWS SDK,
 * {@code file:} on the local file system. Files stream; local files are written atomically.
 *
 * <p>Paths are symmetric: {@code upload(root, local, p)} stores {@code local} as {@code p} (a file
 * becomes the artifact {@code p}, a folder's contents go under {@code p}), and {@code
 * download(root, p, local)} brings {@code p} back to {@code local} the same way.
 */
public final class ArtifactStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ArtifactStore.class);

  private final MlflowHttp http;
  private final S3Settings s3Settings;
  private S3Client s3;

  ArtifactStore(MlflowHttp http, S3Settings s3Settings) {
    this.http = http;
    this.s3Settings = s3Settings;
  }

  /**
   * Stores a local file or folder under {@code artifactRoot}. A file is stored as {@code
   * artifactPath}; a folder's files are stored under {@code artifactPath} ("" for the root) with
   * their relative paths. Existing artifacts with the same paths are replaced, so a retry is safe.
   *
   * @return the number of files stored
   */
  public int upload(String artifactRoot, Path local, String artifactPath) {
    String path = ArtifactPaths.normalize(artifactPath);
    ArtifactRepository repo = repository(artifactRoot);
    if (Files.isRegularFile(local)) {
      if (path.isEmpty()) {
        throw new IllegalArgumentException(
            "uploading the file " + local + " needs an artifact path to store it as");
      }
      repo.uploadFile(local, path);
      log.debug("uploaded {} to {}/{}", local, artifactRoot, path);
      return 1;
    }
    if (!Files.isDirectory(local)) {
      throw new UncheckedIOException(
          new IOException("nothing to upload: " + local + " is neither a file nor a folder"));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(local)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read folder " + local, e);
    }
    for (Path file : files) {
      repo.uploadFile(file, ArtifactPaths.join(path, relative(local, file)));
    }
    log.debug("uploaded {} files from {} to {}/{}", files.size(), local, artifactRoot, path);
    return files.size();
  }

  /**
   * Fetches the artifact file or folder at {@code artifactPath} ("" for the whole root): a file is
   * written to {@code target}, a folder's files under {@code target}.
   *
   * @return {@code target}
   * @throws ResourceNotFoundException if nothing exists at {@code artifactPath}
   */
  public Path download(String artifactRoot, String artifactPath, Path target) {
    String path = ArtifactPaths.normalize(artifactPath);
    ArtifactRepository repo = repository(artifactRoot);
    boolean isDirectory = path.isEmpty() || stat(repo, artifactRoot, path).isDirectory();
    try {
      if (isDirectory) {
        Files.createDirectories(target);
        downloadFolder(repo, path, target);
      } else {
        downloadFile(repo, path, target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  /** The direct children of the folder {@code artifactPath} ("" for the root), by path. */
  public List<ArtifactFile> list(String artifactRoot, String artifactPath) {
    return repository(artifactRoot).list(ArtifactPaths.normalize(artifactPath));
  }

  /** Every file (no folders) under {@code artifactPath}, recursively, by path. */
  public List<ArtifactFile> listFiles(String artifactRoot, String artifactPath) {
    List<ArtifactFile> out = new ArrayList<>();
    collectFiles(repository(artifactRoot), ArtifactPaths.normalize(artifactPath), out);
    return out;
  }

  @Override
  public synchronized void close() {
    if (s3 != null) {
      s3.close();
      s3 = null;
    }
  }

  private void collectFiles(ArtifactRepository repo, String path, List<ArtifactFile> out) {
    for (ArtifactFile f : repo.list(path)) {
      if (f.isDirectory()) {
        collectFiles(repo, f.path(), out);
      } else {
        out.add(f);
      }
    }
  }

  private ArtifactFile stat(ArtifactRepository repo, String root, String path) {
    for (ArtifactFile f : repo.list(ArtifactPaths.parent(path))) {
      if (f.path().equals(path)) {
        return f;
      }
    }
    throw new ResourceNotFoundException(
        MlflowErrors.NOT_FOUND, "no artifact '" + path + "' under " + root, 0, null, null);
  }

  private void downloadFolder(ArtifactRepository repo, String path, Path target)
      throws IOException {
    for (ArtifactFile child : repo.list(path)) {
      String name = child.name();
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw new IllegalStateException("artifact listing returned an unsafe name: " + child);
      }
      if (child.isDirectory()) {
        Path dir = Files.createDirectories(target.resolve(name));
        downloadFolder(repo, child.path(), dir);
      } else {
        downloadFile(repo, child.path(), target.resolve(name));
      }
    }
  }

  private static void downloadFile(ArtifactRepository repo, String path, Path target)
      throws IOException {
    try (InputStream in = repo.open(path)) {
      LocalFiles.writeAtomically(in, target);
    }
  }

  private static String relative(Path root, Path file) {
    StringJoiner j = new StringJoiner("/");
    for (Path segment : root.relativize(file)) {
      j.add(segment.toString());
    }
    return j.toString();
  }

  ArtifactRepository repository(String artifactRoot) {
    ArtifactLocation location = ArtifactLocation.parse(artifactRoot);
    if (location instanceof ArtifactLocation.Proxied p) {
      return new ProxiedArtifactRepository(http, p);
    }
    if (location instanceof ArtifactLocation.S3 s) {
      return new S3ArtifactRepository(s3(), s3Settings.endpoint().orElse(null), s);
    }
    return new LocalArtifactRepository(((ArtifactLocation.Local) location).path());
  }

  private synchronized S3Client s3() {
    if (s3 == null) {
      AwsCredentialsProvider credentials =
          s3Settings.hasExplicitCredentials()
              ? StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(
                      s3Settings.accessKeyId(), s3Settings.secretAccessKey()))
              : DefaultCredentialsProvider.create();
      S3ClientBuilder b =
          S3Client.builder()
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .region(Region.of(s3Settings.region()))
              .credentialsProvider(credentials)
              .forcePathStyle(s3Settings.pathStyle());
      s3Settings.endpoint().ifPresent(b::endpointOverride);
      s3 = b.build();
      log.debug("S3 client for artifacts: {}", s3Settings);
    }
    return s3;
  }
}
