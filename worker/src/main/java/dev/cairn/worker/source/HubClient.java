package dev.cairn.worker.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.source.ModelSource.HuggingFace;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The hub's HTTP API: the revision's file list, one file's metadata, one file's bytes. Redirects
 * are followed by hand so the token never leaves the hub's host (CDN redirects are pre-signed).
 */
final class HubClient {

  private static final int MAX_REDIRECTS = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubSettings settings;

  HubClient(HubSettings settings) {
    this.settings = settings;
  }

  /** What {@code GET /api/models/{repo}/revision/{rev}} says about a revision. */
  record RevisionInfo(String commit, List<String> files) {}

  /**
   * One file's metadata from the first, unfollowed response of {@code resolve}.
   *
   * @param commit {@code X-Repo-Commit}
   * @param etag {@code X-Linked-Etag} (LFS, sha256) or {@code ETag} (git blob sha1)
   * @param size {@code X-Linked-Size} or {@code Content-Length}; -1 when unknown
   */
  record FileMetadata(String commit, String etag, long size) {}

  /** An open response body; closing it releases the connection. */
  record Body(HttpURLConnection connection, int status, InputStream stream)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        stream.close();
      } catch (IOException ignored) {
        // The connection is being dropped anyway.
      }
      connection.disconnect();
    }
  }

  RevisionInfo revision(HuggingFace source) throws IOException {
    URL url = url("/api/models/" + source.repo() + "/revision/" + encode(source.revision()));
    HttpURLConnection c = open(url, "GET", 0);
    try {
      check(c.getResponseCode(), url, source);
      JsonNode root;
      try (InputStream in = c.getInputStream()) {
        root = JSON.readTree(in);
      }
      String commit = root.path("sha").asText("");
      if (commit.isEmpty()) {
        throw new ModelDownloadException(url + " answered without a commit ('sha')");
      }
      List<String> files = new ArrayList<>();
      for (JsonNode sibling : root.path("siblings")) {
        files.add(sibling.path("rfilename").asText());
      }
      return new RevisionInfo(commit, files);
    } finally {
      c.disconnect();
    }
  }

  FileMetadata metadata(HuggingFace source, String commit, String file) throws IOException {
    URL url = resolveUrl(source, commit, file);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpURLConnection c = open(url, "HEAD", 0);
      try {
        int status = c.getResponseCode();
        String linkedEtag = c.getHeaderField("X-Linked-Etag");
        String etag = linkedEtag != null ? linkedEtag : c.getHeaderField("ETag");
        if (isRedirect(status) && etag == null) {
          url = redirectTarget(c, url);
          continue;
        }
        if (!isRedirect(status)) {
          check(status, url, source);
        }
        String linkedSize = c.getHeaderField("X-Linked-Size");
        long size = linkedSize != null ? parseLong(linkedSize) : c.getContentLengthLong();
        String repoCommit = Objects.requireNonNullElse(c.getHeaderField("X-Repo-Commit"), commit);
        return new FileMetadata(repoCommit, etag == null ? "" : etag, size);
      } finally {
        c.disconnect();
      }
    }
    throw new IOException("too many redirects for " + url);
  }

  /** Opens the file's bytes from {@code offset} on; the status is 200 or 206. */
  Body download(HuggingFace source, String commit, String file, long offset) throws IOException {
    URL url = resolveUrl(source, commit, file);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpURLConnection c = open(url, "GET", offset);
      int status = c.getResponseCode();
      if (isRedirect(status)) {
        url = redirectTarget(c, url);
        c.disconnect();
        continue;
      }
      if (status == 200 || status == 206 || status == 416) {
        InputStream stream = status == 416 ? InputStream.nullInputStream() : c.getInputStream();
        return new Body(c, status, stream);
      }
      c.disconnect();
      check(status, url, source);
      throw new IOException("unexpected HTTP " + status + " from " + url);
    }
    throw new IOException("too many redirects for " + url);
  }

  private HttpURLConnection open(URL url, String method, long offset) throws IOException {
    HttpURLConnection c = (HttpURLConnection) url.openConnection();
    c.setInstanceFollowRedirects(false);
    c.setRequestMethod(method);
    c.setConnectTimeout((int) settings.connectTimeout().toMillis());
    // A read that waits longer than this is a stalled transfer: it fails and is retried.
    c.setReadTimeout((int) settings.stallTimeout().toMillis());
    // Hashes are of the raw bytes: never let a proxy compress them.
    c.setRequestProperty("Accept-Encoding", "identity");
    c.setRequestProperty("User-Agent", "cairn-worker");
    if (offset > 0) {
      c.setRequestProperty("Range", "bytes=" + offset + "-");
    }
    if (settings.token().isPresent() && sameOrigin(url)) {
      c.setRequestProperty("Authorization", "Bearer " + settings.token().get());
    }
    return c;
  }

  private boolean sameOrigin(URL url) {
    URI endpoint = settings.endpoint();
    return url.getProtocol().equalsIgnoreCase(endpoint.getScheme())
        && url.getHost().equalsIgnoreCase(endpoint.getHost())
        && port(url.getPort(), url.getProtocol()) == port(endpoint.getPort(), endpoint.getScheme());
  }

  private static int port(int port, String scheme) {
    return port != -1 ? port : ("https".equalsIgnoreCase(scheme) ? 443 : 80);
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static URL redirectTarget(HttpURLConnection c, URL from) throws IOException {
    String location = c.getHeaderField("Location");
    if (location == null) {
      throw new IOException("HTTP " + c.getResponseCode() + " without Location from " + from);
    }
    try {
      return from.toURI().resolve(location).toURL();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new IOException("bad redirect Location '" + location + "' from " + from, e);
    }
  }

  private static void check(int status, URL url, HuggingFace source) throws IOException {
    if (status >= 200 && status < 300) {
      return;
    }
    if (status == 401 || status == 403) {
      throw new ModelDownloadException(
          "access to "
              + source
              + " was denied (HTTP "
              + status
              + " from "
              + url
              + "): set HF_TOKEN (spec.model.credentialsSecretRef) to a token that can read this"
              + " repository; for a gated model, accept its license on the hub first");
    }
    if (status == 404) {
      throw ModelDownloadException.notFound(
          source
              + " was not found (HTTP 404 from "
              + url
              + "): check the repository name and the revision; private repositories also"
              + " answer 404 without a valid HF_TOKEN");
    }
    if (status >= 500 || status == 408 || status == 429) {
      throw new HubStatusException(status, url.toString());
    }
    throw new ModelDownloadException("unexpected HTTP " + status + " from " + url);
  }

  private URL resolveUrl(HuggingFace source, String commit, String file) throws IOException {
    StringBuilder path = new StringBuilder("/" + source.repo() + "/resolve/" + encode(commit));
    for (String segment : file.split("/")) {
      path.append('/').append(encode(segment));
    }
    return url(path.toString());
  }

  private URL url(String path) throws IOException {
    return URI.create(settings.endpoint().toString() + path).toURL();
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
