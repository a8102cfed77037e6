package dev.cairn.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BadConstraintsTest {

  private final ConstraintCompiler compiler = new ConstraintCompiler(16);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{'type':'object','patternProperties':{'a':{}}}|patternProperties|/patternProperties",
        "{'if':{},'then':{}}|if|/if",
        "{'not':{'type':'string'}}|not|/not",
        "{'type':'array','uniqueItems':true}|uniqueItems|/uniqueItems",
        "{'type':'integer','multipleOf':3}|multipleOf|/multipleOf",
        "{'type':'array','contains':{}}|contains|/contains",
        "{'properties':{'a':{'type':'strin'}}}|type|/properties/a/type",
        "{'type':'string','format':'ipv4'}|format|/format",
        "{'$ref':'#/$defs/missing'}|$ref|/$ref",
        "{'$ref':'http://x/y.json'}|$ref|/$ref",
        "{'enum':[]}|enum|/enum",
        "{'type':'string','minLength':5,'maxLength':2}|minLength|/minLength",
        "{'type':'integer','minimum':5,'maximum':2}|minimum|/minimum",
        "{'type':'array','minItems':3,'maxItems':1}|minItems|/minItems",
        "{'type':'object','required':['a'],'additionalProperties':false}|required|/required",
        "{'oneOf':[{'type':'string'},{'type':'string','minLength':1}]}|oneOf|/oneOf/1",
        "{'allOf':[{'type':'string'},{'minLength':1}]}|allOf|/allOf",
        "{'type':'string','pattern':'(?=a)b'}|look-ahead|/pattern offset 0",
        "{'type':'string','pattern':'(a)\\\\1'}|back-reference|/pattern offset 3",
        "{'type':'string','pattern':'(?<=a)b'}|look-behind|/pattern offset 0",
        "{'type':'string','pattern':'\\\\bword'}|word boundary|/pattern offset 0",
        "{'type':'string','pattern':'\\\\p{L}'}|unicode property escape|/pattern offset 0",
        "{'type':'string','pattern':'a**'}|quantifier|/pattern offset 2",
        "{'type':'string','pattern':'(ab'}|group|/pattern offset 0",
        "{'type':'object','properties':{'self':{'$ref':'#'}},'required':['self']}|$ref|/",
        "{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'$ref':'#/$defs/a'}},'$ref':'#/$defs/a'}|$ref|/$defs/a",
        "{'type':'string','minLength':-1}|minLength|/minLength",
        "false|false|''",
      })
  void refusesNamingTheKeywordAndPath(String schema, String keyword, String path) throws Exception {
    var node = new ObjectMapper().readTree(schema.replace('\'', '"'));
    ConstraintException e =
        catchThrowableOfType(ConstraintException.class, () -> compiler.jsonSchema(node));
    assertThat(e).as(schema).isNotNull();
    assertThat(e.keyword()).isEqualTo(keyword);
    assertThat(e.path()).isEqualTo(path.equals("''") ? "" : path);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a(?!b)|look-ahead",
        "\\k<x>|back-reference",
        "(?i)abc|group modifier",
        "a{2,1}|quantifier"
      })
  void refusesRegexConstructs(String regex, String construct) {
    ConstraintException e =
        catchThrowableOfType(ConstraintException.class, () -> compiler.regex(regex));
    assertThat(e).isNotNull();
    assertThat(e.keyword()).isEqualTo(construct);
    assertThat(e.getMessage()).contains("offset");
  }
}
