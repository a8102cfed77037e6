package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.StopReason;
import dev.cairn.worker.engine.TokenLogprob;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseFormatTest {
  private static RequestOutput out(String text, FinishReason finish, int generated) {
    return new RequestOutput(
        "r", new int[] {1}, text, List.of(), List.of(), finish, null, null, 3, generated, null);
  }

  @Test
  void sseFraming() {
    ObjectNode event = ResponseFormat.F.objectNode().put("a", 1);
    assertThat(SseWriter.frame(event)).isEqualTo("data: {\"a\":1}\n\n");
    assertThat(SseWriter.DONE).isEqualTo("data: [DONE]\n\n");
  }

  @Test
  void chatChunksAndFinalResponse() {
    ResponseFormat f = ResponseFormat.of(Endpoint.CHAT_COMPLETIONS, "chatcmpl-1", 7, "m");
    assertThat(f.chunk(f.openingChoice(0)).toString())
        .isEqualTo(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":7,"
                + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}");
    ChoiceState c = new ChoiceState(0, 0);
    RequestOutput last = out("hi", FinishReason.STOP, 2);
    c.add(last);
    assertThat(f.deltaChoice(c, last, false).toString())
        .isEqualTo(
            "{\"index\":0,\"delta\":{\"content\":\"hi\"},\"logprobs\":null,\"finish_reason\":\"stop\","
                + "\"stop_reason\":null}");
    ObjectNode whole = f.response(List.of(c), false, 3);
    assertThat(whole.get("object").asText()).isEqualTo("chat.completion");
    assertThat(whole.at("/choices/0/message/content").asText()).isEqualTo("hi");
    assertThat(whole.at("/usage/total_tokens").asInt()).isEqualTo(5);
    ObjectNode usage = f.usageChunk(3, List.of(c));
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void completionChunkHasNoOpeningAndCarriesText() {
    ResponseFormat f = ResponseFormat.of(Endpoint.COMPLETIONS, "cmpl-1", 7, "m");
    assertThat(f.openingChoice(0)).isNull();
    ChoiceState c = new ChoiceState(1, 0);
    RequestOutput o = out("x", null, 1);
    c.add(o);
    assertThat(f.chunk(f.deltaChoice(c, o, false)).toString())
        .isEqualTo(
            "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":7,\"model\":\"m\","
                + "\"choices\":[{\"index\":1,\"text\":\"x\",\"logprobs\":null,\"finish_reason\":null,"
                + "\"stop_reason\":null}]}");
  }

  @Test
  void chatLogprobsCarryBytes() {
    ObjectNode lp =
        LogprobsJson.chat(
            List.of(new TokenLogprob(1, "é", -0.5)),
            List.of(List.of(new TokenLogprob(2, "a", -1.5))));
    assertThat(lp.toString())
        .isEqualTo(
            "{\"content\":[{\"token\":\"é\",\"logprob\":-0.5,\"bytes\":[195,169],"
                + "\"top_logprobs\":[{\"token\":\"a\",\"logprob\":-1.5,\"bytes\":[97]}]}]}");
  }

  @Test
  void stopReasonIsTheMatchedStringOrTokenId() {
    for (Endpoint e : Endpoint.values()) {
      if (e == Endpoint.MODELS) {
        continue;
      }
      ResponseFormat f = ResponseFormat.of(e, "x", 7, "m");
      ChoiceState byString = new ChoiceState(0, 0);
      RequestOutput s =
          new RequestOutput(
              "r",
              new int[] {1},
              "a",
              List.of(),
              List.of(),
              FinishReason.STOP,
              StopReason.string("END"),
              null,
              3,
              1,
              null);
      byString.add(s);
      assertThat(f.finalChoice(byString, false).get("stop_reason").asText()).isEqualTo("END");
      assertThat(f.deltaChoice(byString, s, false).get("stop_reason").asText()).isEqualTo("END");
      ChoiceState byToken = new ChoiceState(0, 0);
      byToken.add(
          new RequestOutput(
              "r",
              new int[] {1},
              "a",
              List.of(),
              List.of(),
              FinishReason.STOP,
              StopReason.token(7),
              null,
              3,
              1,
              null));
      assertThat(f.finalChoice(byToken, false).get("stop_reason").asInt()).isEqualTo(7);
      ChoiceState eos = new ChoiceState(0, 0);
      eos.add(out("a", FinishReason.STOP, 1));
      assertThat(f.finalChoice(eos, false).get("stop_reason").isNull()).isTrue();
    }
  }
}
