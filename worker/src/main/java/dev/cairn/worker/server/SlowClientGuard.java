package dev.cairn.worker.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Bounds what a slow or stalled client can hold (slowloris). The server's idle timeout closes a
 * connection on which nothing moves: headers that never complete, a body that stops, a keep-alive
 * connection left open. This guard adds the two things an idle timeout cannot do:
 *
 * <ul>
 *   <li>a body that trickles in (a byte now and then, so never idle) must still arrive within
 *       {@code bodyReadTimeout}, or the request is answered 408 in OpenAI's error shape and its
 *       connection closed;
 *   <li>while a generation runs, the client rightly sends nothing and, until the first token of a
 *       stream or the whole answer, receives nothing: idle detection is paused on its connection
 *       for that time (the request deadline, {@code engine.requestTimeoutSeconds}, bounds it
 *       instead) and resumed when the response ends.
 * </ul>
 */
public final class SlowClientGuard {
  private static final Logger LOG = Logger.getLogger(SlowClientGuard.class);
  // Vert.x's name for the IdleStateHandler it adds when an idle timeout is configured.
  private static final String IDLE_HANDLER = "idle";

  private final Duration bodyReadTimeout;
  private volatile boolean pauseUnsupported;

  /**
   * @param bodyReadTimeout how long a request body may take to arrive in full
   */
  public SlowClientGuard(Duration bodyReadTimeout) {
    if (bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
      throw new IllegalArgumentException("bodyReadTimeout must be > 0, got " + bodyReadTimeout);
    }
    this.bodyReadTimeout = bodyReadTimeout;
  }

  /** Adds the body deadline before every other route and the idle pause after the body is read. */
  public void install(Router router) {
    router.route().order(-200).handler(this::bodyDeadline);
    router.route(HttpMethod.POST, "/v1/*").order(-60).handler(this::pauseIdleWhileGenerating);
  }

  private void bodyDeadline(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      long timer =
          ctx.vertx().setTimer(bodyReadTimeout.toMillis(), id -> bodyTooSlow(ctx, request));
      ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    }
    ctx.next();
  }

  private void bodyTooSlow(RoutingContext ctx, HttpServerRequest request) {
    if (request.isEnded() || ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().putHeader("Connection", "close");
    ApiErrors.send(
        ctx,
        new ApiException(
            408,
            "invalid_request_error",
            null,
            "The request body did not arrive within " + bodyReadTimeout.toSeconds() + " s"));
    request.connection().close();
  }

  private void pauseIdleWhileGenerating(RoutingContext ctx) {
    Channel channel = channel(ctx.request());
    if (channel != null) {
      IdlePause pause = IdlePause.of(channel);
      channel.eventLoop().execute(pause::acquire);
      ctx.addEndHandler(v -> channel.eventLoop().execute(pause::release));
    }
    ctx.next();
  }

  /** The Netty channel of a request; Vert.x exposes it only on its connection implementation. */
  private Channel channel(HttpServerRequest request) {
    if (pauseUnsupported) {
      return null;
    }
    if (request.connection() instanceof ConnectionBase base) {
      return base.channel();
    }
    pauseUnsupported = true;
    LOG.warnf(
        "HTTP connections are %s, not Vert.x's ConnectionBase: the idle timeout stays active"
            + " during generation",
        request.connection().getClass().getName());
    return null;
  }

  /**
   * Generations in flight on one connection (HTTP/2 multiplexes several): idle detection is off
   * from the first one's start to the last one's end. Touched only on the channel's event loop.
   */
  private static final class IdlePause {
    private static final AttributeKey<IdlePause> KEY = AttributeKey.valueOf("cairn.idlePause");

    private final Channel channel;
    private int active;
    private IdleStateHandler paused;

    private IdlePause(Channel channel) {
      this.channel = channel;
    }

    static IdlePause of(Channel channel) {
      IdlePause fresh = new IdlePause(channel);
      IdlePause existing = channel.attr(KEY).setIfAbsent(fresh);
      return existing != null ? existing : fresh;
    }

    void acquire() {
      if (active++ == 0 && channel.pipeline().get(IDLE_HANDLER) instanceof IdleStateHandler h) {
        channel.pipeline().remove(IDLE_HANDLER);
        paused = h;
      }
    }

    /** Puts a fresh handler with the same timeouts back while the connection stays open. */
    void release() {
      if (--active > 0 || paused == null) {
        return;
      }
      ChannelPipeline pipeline = channel.pipeline();
      if (channel.isActive() && pipeline.get(IDLE_HANDLER) == null) {
        pipeline.addFirst(
            IDLE_HANDLER,
            new IdleStateHandler(
                paused.getReaderIdleTimeInMillis(),
                paused.getWriterIdleTimeInMillis(),
                paused.getAllIdleTimeInMillis(),
                TimeUnit.MILLISECONDS));
      }
      paused = null;
    }
  }
}
