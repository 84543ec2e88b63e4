package dev.trainyard.registry;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code s3://bucket/key} URIs, straight to S3 with the AWS SDK (no detour through the tracking
 * server). A single PUT per file, so one artifact file can be at most 5 GiB.
 */
final class S3ArtifactRepository implements ArtifactRepository {
  private final S3Client s3;
  private final URI endpoint;
  private final String bucket;
  private final String prefix;

  S3ArtifactRepository(S3Client s3, URI endpoint, ArtifactLocation.S3 location) {
    this.s3 = s3;
    this.endpoint = endpoint;
    this.bucket = location.bucket();
    this.prefix = location.key();
  }

  @Override
  public void uploadFile(Path localFile, String path) {
    String key = key(path);
    call(
        "PutObject s3://" + bucket + "/" + key,
        () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(localFile)));
  }

  @Override
  public InputStream open(String path) {
    String key = key(path);
    return call(
        "GetObject s3://" + bucket + "/" + key, () -> s3.getObject(b -> b.bucket(bucket).key(key)));
  }

  @Override
  public List<ArtifactFile> list(String path) {
    String key = key(path);
    String dir = key.isEmpty() ? "" : key + "/";
    List<ArtifactFile> out = new ArrayList<>();
    call(
        "ListObjectsV2 s3://" + bucket + "/" + dir,
        () -> {
          for (ListObjectsV2Response page :
              s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(dir).delimiter("/"))) {
            for (CommonPrefix p : page.commonPrefixes()) {
              String name = p.prefix().substring(dir.length());
              name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
              if (!name.isEmpty()) {
                out.add(
                    new ArtifactFile(ArtifactPaths.join(path, name), true, OptionalLong.empty()));
              }
            }
            for (S3Object o : page.contents()) {
              String name = o.key().substring(dir.length());
              if (!name.isEmpty()) { // a "folder marker" object is not a file
                out.add(
                    new ArtifactFile(
                        ArtifactPaths.join(path, name), false, OptionalLong.of(o.size())));
              }
            }
          }
          return null;
        });
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }

  private String key(String path) {
    return ArtifactPaths.join(prefix, path);
  }

  private <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (SdkException e) {
      throw translate(e, what);
    }
  }

  MlflowException translate(SdkException e, String what) {
    return translate(e, what, endpoint);
  }

  static MlflowException translate(SdkException e, String what, URI endpoint) {
    if (e instanceof S3Exception s) {
      int status = s.statusCode();
      String code =
          s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
              ? s.awsErrorDetails().errorCode()
              : MlflowErrors.codeForStatus(status);
      String message =
          s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null
              ? s.awsErrorDetails().errorMessage()
              : s.getMessage();
      if (status == 404) {
        return new ResourceNotFoundException(
            MlflowErrors.NOT_FOUND, code + ": " + message, status, what, e);
      }
      return MlflowErrors.create(endpoint, code, message, status, what, e);
    }
    if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("credentials")) {
      return new PermissionDeniedException(
          "UNAUTHENTICATED",
          "no AWS credentials for S3 ("
              + e.getMessage()
              + "): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or a role",
          0,
          what,
          e);
    }
    String where = endpoint == null ? "AWS S3" : "S3 at " + endpoint;
    return new MlflowUnavailableException(
        endpoint,
        "UNAVAILABLE",
        where
            + " is not reachable ("
            + e.getMessage()
            + "). Start the local stack with `./trainyard dev up`, or set AWS_ENDPOINT_URL_S3 to"
            + " a running S3 endpoint.",
        0,
        what,
        e);
  }
}
