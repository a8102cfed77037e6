package dev.cairn.worker.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

  private static final List<ChatMessage> CONVERSATION =
      List.of(
          new ChatMessage("system", "You are a poet."),
          new ChatMessage("user", "Speak of roses."),
          new ChatMessage("assistant", "A rose by any other name."),
          new ChatMessage("user", "More!"));

  // Llama 3 (Meta-Llama-3-8B-Instruct), with the JSON's newlines as real characters.
  private static final String LLAMA3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content ="
          + " '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+"
          + " message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content"
          + " = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if"
          + " add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%"
          + " endif %}";

  // Mistral-7B-Instruct-v0.1: user/assistant must alternate, no system role.
  private static final String MISTRAL =
      "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') !="
          + " (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate"
          + " user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user'"
          + " %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] =="
          + " 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only"
          + " user and assistant roles are supported!') }}{% endif %}{% endfor %}";

  // Later Mistral/Llama templates: a namespace, a slice, whitespace control and escaped newlines.
  private static final String SYSTEM_FOLDING =
      "{%- set ns = namespace(system='') -%}\n"
          + "{%- if messages[0]['role'] == 'system' -%}\n"
          + "  {%- set ns.system = messages[0]['content'] -%}\n"
          + "  {%- set loop_messages = messages[1:] -%}\n"
          + "{%- else -%}\n"
          + "  {%- set loop_messages = messages -%}\n"
          + "{%- endif -%}\n"
          + "{{ bos_token }}\n"
          + "{%- for message in loop_messages %}\n"
          + "  {%- if message['role'] == 'user' %}\n"
          + "    {%- if loop.last and ns.system != '' %}\n"
          + "{{ '[INST] ' + ns.system + '\\n\\n' + message['content'] + '[/INST]' }}\n"
          + "    {%- else %}\n"
          + "{{ '[INST] ' + message['content'] + '[/INST]' }}\n"
          + "    {%- endif %}\n"
          + "  {%- else %}\n"
          + "{{ ' ' + message['content'] | trim + eos_token }}\n"
          + "  {%- endif %}\n"
          + "{%- endfor %}\n";

  @Test
  void rendersTheTinyModelsChatMlTemplateExactly() {
    ChatTemplate template = ChatTemplate.of(TokenizerConfig.load(TestModels.tinyShakespeare()));
    assertThat(template.render(CONVERSATION, true))
        .isEqualTo(
            "<|im_start|>system\nYou are a poet.<|im_end|>\n"
                + "<|im_start|>user\nSpeak of roses.<|im_end|>\n"
                + "<|im_start|>assistant\nA rose by any other name.<|im_end|>\n"
                + "<|im_start|>user\nMore!<|im_end|>\n"
                + "<|im_start|>assistant\n");
    assertThat(template.render(CONVERSATION.subList(1, 2), false))
        .isEqualTo("<|im_start|>user\nSpeak of roses.<|im_end|>\n");
  }

  @Test
  void chatMlPromptTokenizesWithSpecialTokenIds() {
    ChatTemplate template = ChatTemplate.of(TokenizerConfig.load(TestModels.tinyShakespeare()));
    try (HfTokenizer tokenizer = HfTokenizer.load(TestModels.tinyShakespeare())) {
      int[] ids = tokenizer.encode(template.render(CONVERSATION.subList(1, 2), true));
      assertThat(ids[0]).isEqualTo(510);
      assertThat(ids).contains(511);
      assertThat(tokenizer.decode(ids, false))
          .isEqualTo("<|im_start|>user\nSpeak of roses.<|im_end|>\n<|im_start|>assistant\n");
    }
  }

  @Test
  void rendersALlama3StyleTemplate() {
    ChatTemplate template = new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
    assertThat(
            template.render(
                List.of(new ChatMessage("system", "  Be brief. "), new ChatMessage("user", "Hi")),
                true))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void rendersAMistralStyleTemplate() {
    ChatTemplate template = new ChatTemplate(MISTRAL, "<s>", "</s>");
    assertThat(template.render(CONVERSATION.subList(1, 4), false))
        .isEqualTo(
            "<s>[INST] Speak of roses. [/INST]A rose by any other name.</s>[INST] More! [/INST]");
  }

  @Test
  void raiseExceptionBecomesAClearError() {
    ChatTemplate template = new ChatTemplate(MISTRAL, "<s>", "</s>");
    List<ChatMessage> twoUsers =
        List.of(new ChatMessage("user", "a"), new ChatMessage("user", "b"));
    assertThatThrownBy(() -> template.render(twoUsers, true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
    assertThatThrownBy(() -> template.render(CONVERSATION, true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("alternate");
  }

  @Test
  void supportsNamespaceSlicingWhitespaceControlAndEscapes() {
    ChatTemplate template = new ChatTemplate(SYSTEM_FOLDING, "<s>", "</s>");
    assertThat(template.render(CONVERSATION, true))
        .isEqualTo(
            "<s>[INST] Speak of roses.[/INST] A rose by any other name.</s>"
                + "[INST] You are a poet.\n\nMore![/INST]");
  }

  // Expected strings below were produced by Python Jinja2 3.1 with trim_blocks and lstrip_blocks,
  // the environment transformers uses.
  @Test
  void rendersAQwenStyleTemplateWithExpressionTrimmingLikeJinja2() throws Exception {
    ChatTemplate template = new ChatTemplate(resource("tool-aware.jinja"), "", "<|im_end|>");
    List<ChatMessage> withTools =
        List.of(
            new ChatMessage("user", "a"),
            new ChatMessage("tool", "r1"),
            new ChatMessage("tool", "r2"),
            new ChatMessage("user", "b"));
    assertThat(template.render(withTools, true))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful \"assistant\".<|im_end|>\n<|im_start|>user\na"
                + "<|im_end|>\n<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n"
                + "<tool_response>\nr2\n</tool_response><|im_end|>\n<|im_start|>user\nb<|im_end|>\n"
                + "<|im_start|>assistant\n");
    assertThat(template.render(CONVERSATION.subList(0, 3), false))
        .isEqualTo(
            "<|im_start|>system\nYou are a poet.<|im_end|>\n<|im_start|>user\nSpeak of roses."
                + "<|im_end|>\n<|im_start|>assistant\nA rose by any other name.<|im_end|>\n");
  }

  @Test
  void pythonStringMethodsBehaveAsInJinja2() {
    String source =
        "{{ '  a  b '.split() | join('|') }};{{ 'a.b.c'.split('.', 1) | join('|') }};"
            + "{{ 'x--y--'.split('--') | join('|') }};{{ 'xxhixx'.strip('x') }};"
            + "{{ '\\n\\nhi'.lstrip('\\n') }};{{ 'hi!!'.rstrip('!') }};"
            + "{{ 'y' if 'abc'.startswith(('z', 'a')) else 'n' }};"
            + "{{ 'y' if 'abc'.endswith('bc') else 'n' }};{{ 'hELLO'.capitalize() }};{{ 'Hi'.lower() }}";
    assertThat(new ChatTemplate(source, "", "").render(List.of(), false))
        .isEqualTo("a|b;a|b.c;x|y|;hi;hi;hi;y;y;Hello;hi");
  }

  @Test
  void rendersAReasoningTemplateThatSplitsOffThinking() throws Exception {
    ChatTemplate template = new ChatTemplate(resource("reasoning.jinja"), "", "");
    List<ChatMessage> messages =
        List.of(
            new ChatMessage("user", "2+2?"),
            new ChatMessage("assistant", "<think>\nadd\n</think>\n\n4"),
            new ChatMessage("user", "/reset"));
    assertThat(template.render(messages, true))
        .isEqualTo("<|User|>2+2?<|Assistant|>4<|end|><|Command|>RESET<|Assistant|><think>\n");
  }

  private String resource(String name) throws java.io.IOException {
    try (var in = getClass().getResourceAsStream("/chat-templates/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void openAiContentPartsAreJoined() throws Exception {
    ChatMessage message =
        ChatMessage.fromJson(
            new ObjectMapper()
                .readTree(
                    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one\"},"
                        + "{\"type\":\"text\",\"text\":\"two\"}]}"));
    assertThat(message).isEqualTo(new ChatMessage("user", "one\ntwo"));
    assertThatThrownBy(
            () ->
                ChatMessage.fromJson(
                    new ObjectMapper()
                        .readTree("{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image_url");
    assertThatThrownBy(() -> new ChatMessage("wizard", "x"))
        .hasMessageContaining("messages[].role");
  }

  @Test
  void brokenTemplateNamesTheLine() {
    ChatTemplate template = new ChatTemplate("line one\n{% for x in %}", "", "");
    assertThatThrownBy(() -> template.render(CONVERSATION, true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("line 2");
  }

  @Test
  void checkRejectsABrokenTemplateAtLoadTime() {
    new ChatTemplate(MISTRAL, "<s>", "</s>").check();
    assertThatThrownBy(
            () -> new ChatTemplate("{{ messages[0].content | nosuchfilter(", "", "").check())
        .isInstanceOf(ChatTemplateException.class);
  }

  @Test
  void extraVariablesReachTheTemplateButCannotReplaceMessages() {
    ChatTemplate template =
        new ChatTemplate(
            "{{ messages[0].content }}{% if enable_thinking is defined and not enable_thinking %}"
                + " /no_think{% endif %}",
            "", "");
    List<ChatMessage> one = List.of(new ChatMessage("user", "Hi"));
    assertThat(template.render(one, true, java.util.Map.of("enable_thinking", false)))
        .isEqualTo("Hi /no_think");
    assertThat(template.render(one, true, java.util.Map.of("messages", List.of()))).isEqualTo("Hi");
  }

  @Test
  void modelWithoutTemplateIsRefusedClearly() {
    assertThatThrownBy(() -> ChatTemplate.of(TokenizerConfig.empty()))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("no chat template");
  }
}
